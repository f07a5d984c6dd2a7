"""WTForms: the participant form built at runtime from the questions, and staff forms."""
