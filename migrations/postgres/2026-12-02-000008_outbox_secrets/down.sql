-- Blanked bodies cannot come back, and marking mail to be blanked loses nothing: nothing to undo.
SELECT 1;
