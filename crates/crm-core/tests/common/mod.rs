//! What the ledger tests share.

use crm_core::Ledger;

/// Everything a ledger holds, customer by customer in its order, as text:
/// two ledgers are the same when their dumps are.
pub fn dump(l: &Ledger) -> Vec<String> {
    let mut out = vec![format!("{:?}", l.stats())];
    for id in l.ids() {
        let mut line = format!("{:?} {:?}", l.key(id), l.totals(id));
        for p in 0..l.periods().len() {
            line.push_str(&format!(" {:?}", l.period_totals(id, p)));
        }
        line.push_str(&format!(" {:?}", l.purchase_day_numbers(id)));
        out.push(line);
    }
    out
}
