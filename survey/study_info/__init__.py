"""The study's information: who runs the study, how to reach them, its ethics approval, how long
data are kept and how to withdraw, in English and French, kept in revisions."""
