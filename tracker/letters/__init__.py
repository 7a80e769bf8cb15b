"""Letters typed from the administrators' DOCX templates, filled from what the officer may read."""
