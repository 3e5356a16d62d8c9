"""Quizzes: questions, choices, attempts and scoring. This app never imports `courses`."""
