"""Quizzes of resolution study (issue 13): question banks per resolution and audience, quizzes
drawn from them, attempts kept by the server's clock, item statistics as Moodle computes them.

- ``models``: banks, categories, questions and answers; quizzes; attempts, their questions and
  the record that a member passed the quiz of a resolution (``QuizPass``).
- ``services``: starting, saving answers, submitting exactly once, ``passed(member_id,
  resolution_id)`` for the study completion rule.
- ``stats``: facility and discrimination indices, per-answer frequencies (first attempts, the
  quiz's excluded groups left out); ``reports``: pass rates and scores per unit, rolled up.
"""
