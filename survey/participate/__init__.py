"""The participant's path: start, eligibility, consent, the pages, the toolkit, thank-you."""
