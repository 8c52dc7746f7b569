//! The accepted formats: delimiters, BOM, decimal comma, dates, quoting,
//! line endings, column mappings; and the record iterators.

use crm_core::{InteractionKind, Stage};
use crm_csv::{DecimalSeparator, ImportOptions, customers, interactions, transactions};

use crate::util::{Fixture, import, revenue};

#[test]
fn bom_semicolons_and_decimal_comma() {
    let (r, l) = import(
        "\u{feff}customer_id;date;revenue;margin\nC1;01-03-2024;12,50;3,10\nC1;1/4/2024;-2,5;\n",
        &ImportOptions::new(),
    );
    let r = r.unwrap();
    assert_eq!(r.delimiter, b';');
    assert_eq!(r.imported, 2);
    assert_eq!(revenue(&l, "C1").to_string(), "10.00");
    assert_eq!(l.stats().transactions_without_margin, 1);
}

#[test]
fn tabs_crlf_and_every_date_form() {
    let content = "customer_id\tdate\trevenue\r\n\
                   A\t2024-03-01\t1\r\n\
                   A\t01-03-2024\t1\r\n\
                   A\t1/3/2024\t1\r\n\
                   A\t01.03.2024\t1\r\n\
                   A\t20240301\t1\r\n\
                   A\t2024/03/01\t1\r\n\
                   A\t2024-03-01T12:00:00\t1\r\n";
    let (r, l) = import(content, &ImportOptions::new());
    assert_eq!(r.unwrap().delimiter, b'\t');
    let a = l.id("A").unwrap();
    assert_eq!(
        l.totals(a).unwrap().first_transaction(),
        l.totals(a).unwrap().last_transaction()
    );
    assert_eq!(l.totals(a).unwrap().transactions(), 7);
}

#[test]
fn quoted_fields_with_delimiters_quotes_and_newlines() {
    let content = "customer_id,date,revenue,product\n\
                   \"Smith, J.\",2024-01-01,\"10.00\",\"say \"\"hi\"\"\"\n\
                   \"Jones\",2024-01-02,5,\"multi\nline\nproduct\"\n\
                   Jones,2024-01-03,1,x\n";
    let (r, l) = import(content, &ImportOptions::new());
    assert_eq!(r.unwrap().imported, 3);
    assert_eq!(revenue(&l, "Smith, J.").to_string(), "10.00");
    assert_eq!(revenue(&l, "Jones").to_string(), "6");
}

#[test]
fn explicit_options_and_column_mapping() {
    let content = "klant|datum|omzet\nK1|2024-05-01|3,5\n";
    let o = ImportOptions::new()
        .delimiter(b'|')
        .decimal(DecimalSeparator::Comma)
        .columns_from_str("customer_id=Klant, date=DATUM,revenue=omzet")
        .unwrap();
    let (r, l) = import(content, &o);
    assert_eq!(r.unwrap().imported, 1);
    assert_eq!(revenue(&l, "K1").to_string(), "3.5");
    assert!(ImportOptions::new().column("revenu", "x").is_err());
    assert!(ImportOptions::new().columns_from_str("date").is_err());
}

#[test]
fn spaces_around_fields_are_trimmed() {
    let (r, l) = import(
        "customer_id , date , revenue\n C1 , 2024-01-01 , 4.25 \n",
        &ImportOptions::new(),
    );
    assert_eq!(r.unwrap().imported, 1);
    assert_eq!(revenue(&l, "C1").to_string(), "4.25");
}

#[test]
fn no_trailing_newline() {
    let (r, l) = import(
        "customer_id,date,revenue\nC1,2024-01-01,1\nC1,2024-01-02,2",
        &ImportOptions::new(),
    );
    assert_eq!(r.unwrap().imported, 2);
    assert_eq!(revenue(&l, "C1").to_string(), "3");
}

#[test]
fn iterators_read_every_field() {
    let t = "transaction_id,customer_id,date,revenue,margin,quantity,product\nT1,C1,2024-01-01,10,4,2,widget\n";
    let rows: Vec<_> = transactions(t.as_bytes(), "t.csv", &ImportOptions::new())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[0].id.as_deref(), Some("T1"));
    assert_eq!(rows[0].quantity.map(|q| q.to_string()), Some("2".into()));
    assert_eq!(rows[0].product.as_deref(), Some("widget"));

    let c = "customer_id,stage,name,potential,acquired,consent_email,consent_phone,vat\nC1,customer,\"Acme, Inc\",1000,2020-01-01,yes,no,BE0123\nC2,,,,,,,\n";
    let rows: Vec<_> = customers(c.as_bytes(), "c.csv", &ImportOptions::new())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[0].stage, Stage::Customer);
    assert_eq!(rows[0].name.as_deref(), Some("Acme, Inc"));
    assert_eq!(rows[0].consent.email, Some(true));
    assert_eq!(rows[0].consent.phone, Some(false));
    assert_eq!(rows[0].consent.post, None);
    assert_eq!(
        rows[0].attributes.get("vat").map(String::as_str),
        Some("BE0123")
    );
    assert_eq!(rows[1].stage, Stage::Suspect);
    assert!(rows[1].attributes.is_empty());

    let i = "customer_id,date,kind,cost,note\nC1,2024-01-01,Complaint Resolved,12.5,ok\n";
    let rows: Vec<_> = interactions(i.as_bytes(), "i.csv", &ImportOptions::new())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[0].kind, InteractionKind::ComplaintResolved);
    assert_eq!(rows[0].note.as_deref(), Some("ok"));
    assert_eq!(rows[0].id, None);

    // The optional interaction id is read; identical rows stay two rows.
    let i = "interaction_id,customer_id,date,kind\nI1,C1,2024-01-01,visit\n,C1,2024-01-02,visit\n,C1,2024-01-02,visit\n";
    let rows: Vec<_> = interactions(i.as_bytes(), "i.csv", &ImportOptions::new())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].id.as_deref(), Some("I1"));
    assert_eq!((rows[1].id.as_deref(), &rows[1]), (None, &rows[2]));

    // The optional campaign column, and the campaign-sent kind.
    let i = "customer_id,date,kind,campaign\nC1,2024-01-01,campaign-sent,spring\nC1,2024-01-09,campaign-response,\n";
    let rows: Vec<_> = interactions(i.as_bytes(), "i.csv", &ImportOptions::new())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[0].kind, InteractionKind::CampaignSent);
    assert_eq!(rows[0].campaign.as_deref(), Some("spring"));
    assert_eq!(rows[1].campaign, None);
}

#[test]
fn iterator_errors_have_lines_and_lenient_iterators_collect_rejects() {
    let t = "customer_id,date,revenue\nC1,2024-01-01,1\nC1,nope,1\nC2,2024-01-01,2\n";
    let mut it = transactions(t.as_bytes(), "t.csv", &ImportOptions::new()).unwrap();
    assert!(it.next().unwrap().is_ok());
    let e = it.next().unwrap().unwrap_err().to_string();
    assert!(e.starts_with("t.csv:3: column 2 (date)"), "{e}");
    assert!(it.next().is_none());

    let mut it = transactions(
        t.as_bytes(),
        "t.csv",
        &ImportOptions::new().mode(crm_csv::Mode::Lenient),
    )
    .unwrap();
    assert_eq!(it.by_ref().filter(Result::is_ok).count(), 2);
    assert_eq!(it.rejects().len(), 1);
    assert_eq!(it.rejects()[0].location.line, 3);
}

#[test]
fn register_and_interactions_feed_the_ledger() {
    let f = Fixture::new();
    let mut l = crm_core::Ledger::new([]);
    let c = f.file("c.csv", "customer_id,stage\nP1,prospect\nS1,suspect\n");
    let i = f.file(
        "i.csv",
        "customer_id,date,kind\nP1,2024-01-01,call\nX1,2024-01-02,visit\n",
    );
    assert_eq!(
        crm_csv::read_customers(&c, &ImportOptions::new(), &mut l)
            .unwrap()
            .imported,
        2
    );
    assert_eq!(
        crm_csv::read_interactions(&i, &ImportOptions::new(), &mut l)
            .unwrap()
            .imported,
        2
    );
    assert_eq!(l.len(), 3);
    assert_eq!(
        l.totals(l.id("S1").unwrap()).unwrap().register_stage(),
        Some(Stage::Suspect)
    );
    assert!(
        l.totals(l.id("X1").unwrap())
            .unwrap()
            .first_interaction()
            .is_some()
    );
}

#[test]
fn leads_are_read_with_their_stage_dates() {
    let l = "customer_id,stage,value,lead_date,quote_date,won_date\nP1,won,1200.50,2024-01-05,2024-02-01,2024-03-01\nP2,qualified,300,,,\n";
    let rows: Vec<_> = crm_csv::leads(l.as_bytes(), "l.csv", &ImportOptions::new())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[0].stage, crm_core::LeadStage::Won);
    assert_eq!(rows[0].entered.len(), 3);
    assert!(rows[1].entered.is_empty());
    let bad = "customer_id,stage,value\nP1,maybe,1\n";
    let e = crm_csv::leads(bad.as_bytes(), "l.csv", &ImportOptions::new())
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(e.to_string().contains("l.csv:2: column 2 (stage)"), "{e}");
}

#[test]
fn leads_in_the_history_form_fold_by_id() {
    use crm_core::LeadStage;
    let l = "lead_id,customer_id,stage,date,value,owner,source,lost_reason\n\
             L1,P1,lead,2025-01-06,1000,ann,fair,\n\
             L2,P2,lead,2025-01-07,500,bob,web,\n\
             L1,P1,quote,2025-02-03,1200,ann,fair,\n\
             L2,P2,lost,2025-03-01,500,bob,web,price\n\
             L1,P1,lead,2025-01-06,1000,ann,fair,\n";
    let rows: Vec<_> = crm_csv::leads(l.as_bytes(), "l.csv", &ImportOptions::new())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[3].lost_reason.as_deref(), Some("price"));
    let leads = crm_core::merge_leads(rows);
    assert_eq!(leads.len(), 2, "the repeated row of L1 is the same lead");
    let l1 = &leads[0];
    assert_eq!(l1.id.as_deref(), Some("L1"));
    assert_eq!(
        (l1.stage, l1.value.to_string()),
        (LeadStage::Quote, "1200".to_string())
    );
    assert_eq!(l1.entered.len(), 2);
    assert_eq!(
        (l1.owner.as_deref(), l1.source.as_deref()),
        (Some("ann"), Some("fair"))
    );
    assert_eq!(leads[1].stage, LeadStage::Lost);
    assert_eq!(leads[1].lost_reason.as_deref(), Some("price"));
}
