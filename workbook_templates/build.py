"""Regenerate the committed workbooks from the code (a test checks they match).

    python workbook_templates/build.py
"""

from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the seed lives in tests/, not in the wheel

from jixiao_xl.write import template as T
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_workbook
from tests.samples import EXAMPLE_NAME, write_seed_example
from jixiao_xl.write.writer import write_template

HERE = Path(__file__).resolve().parent


def main() -> None:
    example = HERE / "examples" / EXAMPLE_NAME
    write_seed_example(example)
    profile = get_profile()
    write_template(T.build(T.data_from(None, 2024, "", profile)), HERE / "绩效自评模板.xlsx")
    seed = T.data_from(read_workbook(str(example)), None, None, profile)
    write_template(T.build(seed), HERE / "examples" / "miluo_sifaju_2023_template.xlsx")
    print("written:", *sorted(p.name for p in HERE.rglob("*.xlsx")))


if __name__ == "__main__":
    main()
