//! Integration tests of crm-report.
