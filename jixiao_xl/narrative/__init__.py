"""The 绩效自评报告 (.docx): its numbers checked against themselves and the tables, and a draft written from them.

``document`` reads a report into paragraphs, ``extract`` finds the numeric
statements in them, ``facts`` gathers the workbook values they can be matched
with, ``rules`` holds the T-rules and ``checker`` runs them; ``draft`` writes a
report from a workbook.  Nothing here is imported by ``import jixiao_xl``.
"""
