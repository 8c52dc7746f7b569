-- The migration matrix between a period and the one before, as `crm migration`
-- computes it from two pyramids (revenue basis, cuts 1/5/20% with ceil, inactive = bought before
-- the start, prospect = any transaction before the end), in DuckDB SQL.
-- Parameters: the file path and the two periods are substituted by the script.
WITH t AS (
    SELECT customer_id, "date" AS d, revenue
    FROM read_csv('@FILE@', header = true,
                  columns = {'transaction_id': 'VARCHAR', 'customer_id': 'VARCHAR',
                             'date': 'DATE', 'revenue': 'DECIMAL(18,2)', 'margin': 'DECIMAL(18,2)'})
),
c AS (
    SELECT customer_id,
           sum(revenue) FILTER (WHERE d >= DATE '@START@' AND d < DATE '@END@') AS v_now,
           sum(revenue) FILTER (WHERE d >= DATE '@PSTART@' AND d < DATE '@START@') AS v_prev,
           bool_or(revenue > 0 AND d < DATE '@START@') AS bought_before_now,
           bool_or(revenue > 0 AND d < DATE '@PSTART@') AS bought_before_prev,
           min(d) AS first_d
    FROM t GROUP BY customer_id
),
periods AS (
    SELECT 'now' AS p, customer_id, coalesce(v_now, 0) AS v, bought_before_now AS before,
           first_d < DATE '@END@' AS known
    FROM c
    UNION ALL
    SELECT 'prev', customer_id, coalesce(v_prev, 0), bought_before_prev, first_d < DATE '@START@'
    FROM c
),
active AS (
    SELECT p, customer_id, v,
           row_number() OVER (PARTITION BY p ORDER BY v DESC, customer_id) AS rnk,
           count(*) OVER (PARTITION BY p) AS n
    FROM periods WHERE v > 0
),
levels AS (
    SELECT p, customer_id, v,
           CASE WHEN rnk <= ceil(n * 0.01) THEN 'top'
                WHEN rnk <= ceil(n * 0.05) THEN 'big'
                WHEN rnk <= ceil(n * 0.20) THEN 'medium'
                ELSE 'small' END AS level
    FROM active
    UNION ALL
    SELECT p, customer_id, v, CASE WHEN before THEN 'inactive' WHEN known THEN 'prospect' END
    FROM periods WHERE v <= 0
),
a AS (SELECT customer_id, level, v FROM levels WHERE p = 'prev' AND level IS NOT NULL),
b AS (SELECT customer_id, level, v FROM levels WHERE p = 'now' AND level IS NOT NULL)
SELECT coalesce(a.level, 'new') AS from_level, b.level AS to_level, count(*) AS customers,
       coalesce(sum(a.v), 0) AS value_from, sum(b.v) AS value_to
FROM b LEFT JOIN a USING (customer_id)
GROUP BY ALL ORDER BY ALL;
