"""What is written into a workbook: fill's derived cells, the template, marks and the 校验结果 sheet."""
