"""Text helpers of the rules, not rules: reading grade (readability), listed words and a document's text fields
(wording), a person's name in text (names)."""
