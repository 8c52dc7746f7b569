mod contacts;
mod default_rules;
mod laws;
mod lists;
mod validation;
mod winback;
