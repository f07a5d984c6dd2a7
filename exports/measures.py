"""The variables the study's outcomes read, by name: the survey's, and the follow-up's as the
exports name them (the `fu_` prefix marks the second wave; docs/follow-up.md). The outcomes
(exports/outcomes.py) and the long form of the two waves (exports/follow_up.py) both read them."""

from __future__ import annotations

TRIED, TRIED_YES = "tried_with_toolkit", "yes"
PAIN = "pain_during"  # 0-10, asked of those who tried
BEFORE, AFTER = "confidence_before", "confidence_after"  # 1-5, before and after the toolkit
FU_EXPRESSED = "fu_expressed_since"
FU_PAIN = "fu_pain_last_time"
FU_CONFIDENCE = "fu_confidence_now"  # the same question and scale as BEFORE and AFTER
