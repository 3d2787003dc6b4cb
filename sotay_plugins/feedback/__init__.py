"""Feedback (góp ý, phản ánh) with identity escrow, keyword screening, handling, and Q&A
(hỏi đáp): SPEC.md module 6, issue 14. The README's "Feedback" section says how to use it."""
