"""A workbook read into the model: each form's layout as data (forms.py), titles and labels found, cells kept."""
