mod default_rules;
mod laws;
mod validation;
mod winback;
