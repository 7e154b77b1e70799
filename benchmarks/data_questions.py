"""Small data questions with known answers, for the real-model benchmark and ui-test.

Four CSV files are generated with a fixed seed (stdlib `random`, so the data never changes
with a numpy release); the expected answers are computed from the written files with pandas,
as the model would read them. Each question states its answer format, and an answer is right
only when it gives the value in that format: a small model often computes the right value and
then drops the format, which `grade` reports separately (`value_only`).

    python benchmarks/data_questions.py write DIR        # the CSVs into DIR, questions as JSON
    python benchmarks/data_questions.py grade QUESTION_JSON < ANSWER   # right/value_only/wrong
    python benchmarks/data_questions.py report RESULTS.json [...]   # the table of a run

Traps on purpose, each one a failure mode of small models: a header with a trailing space and
capitals (`Dept `), a sentinel value (999) among missing values, a file separated by `;`.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import statistics
import sys
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

SEED = 20261129


@dataclass(frozen=True)
class Question:
    """One question: its text (with the answer format), the expected answer as text, and
    how to compare (`number` with `decimals`, or `word`)."""

    id: str
    file: str
    question: str
    expected: str
    kind: str
    decimals: int = 0


def write_data(folder: Path) -> None:
    """Write the four CSV files into `folder`."""
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "sales.csv", ",", _sales(rng))
    _write(folder / "employees.csv", ",", _employees(rng))
    _write(folder / "sensors.csv", ",", _sensors(rng))
    _write(folder / "prices.csv", ";", _prices(rng))


def questions(folder: Path) -> list[Question]:
    """The questions, their answers computed from the files in `folder` with pandas."""
    import pandas as pd

    sales = pd.read_csv(folder / "sales.csv")
    staff = pd.read_csv(folder / "employees.csv")
    sensors = pd.read_csv(folder / "sensors.csv")
    prices = pd.read_csv(folder / "prices.csv", sep=";")
    revenue = sales["units"] * sales["unit_price"]
    orders = sales.groupby("customer").size()
    month = pd.to_datetime(sales["order_date"]).dt.strftime("%Y-%m").value_counts()
    temps = sensors["temperature"].dropna()
    temps = temps[temps <= 100]
    by_dept = staff.groupby("Dept ")["Annual Salary"]
    return [
        _number(
            "north_revenue",
            "sales.csv",
            "In sales.csv, what is the total revenue (units times unit_price, ignoring discounts) "
            "of the North region? Answer with the number rounded to 2 decimals.",
            revenue[sales["region"] == "North"].sum(),
            2,
        ),
        _number(
            "missing_discount",
            "sales.csv",
            "How many rows of sales.csv have a missing discount? Answer with an integer.",
            sales["discount"].isna().sum(),
            0,
        ),
        _number(
            "mean_units",
            "sales.csv",
            "In sales.csv, what is the mean of units after dropping the rows where discount is "
            "missing? Answer with 2 decimals.",
            sales.dropna(subset=["discount"])["units"].mean(),
            2,
        ),
        _word(
            "top_product",
            "sales.csv",
            "Which product in sales.csv has the most units sold in total? Answer with the "
            "product name only.",
            sales.groupby("product")["units"].sum().idxmax(),
        ),
        _word(
            "busiest_month",
            "sales.csv",
            "In sales.csv, in which month were the most orders placed? Answer as YYYY-MM.",
            month.idxmax(),
        ),
        _number(
            "repeat_customers",
            "sales.csv",
            "In sales.csv, how many distinct customers placed more than 5 orders? Answer with "
            "an integer.",
            (orders > 5).sum(),
            0,
        ),
        _number(
            "median_salary",
            "employees.csv",
            "In employees.csv, what is the median annual salary in the Sales department? "
            "Answer with an integer.",
            by_dept.median()["Sales"],
            0,
        ),
        _number(
            "hired_recently",
            "employees.csv",
            "In employees.csv, how many employees were hired in 2019 or later? Answer with an "
            "integer.",
            (staff["Hire Year"] >= 2019).sum(),
            0,
        ),
        _word(
            "best_paid_dept",
            "employees.csv",
            "In employees.csv, which department has the highest mean annual salary? Answer "
            "with the department name only.",
            by_dept.mean().idxmax(),
        ),
        _number(
            "mean_temperature",
            "sensors.csv",
            "In sensors.csv, what is the mean temperature after dropping missing values and "
            "readings above 100 (sensor errors)? Answer with 1 decimal.",
            temps.mean(),
            1,
        ),
        _number(
            "missing_share",
            "sensors.csv",
            "In sensors.csv, what percentage of the rows have a missing temperature? Answer "
            "with 1 decimal, without the % sign.",
            100 * sensors["temperature"].isna().mean(),
            1,
        ),
        _number(
            "humidity_std",
            "sensors.csv",
            "In sensors.csv, what is the sample standard deviation of humidity for sensor B? "
            "Answer with 2 decimals.",
            sensors.loc[sensors["sensor"] == "B", "humidity"].std(),
            2,
        ),
        _number(
            "max_price",
            "prices.csv",
            "What is the highest price in prices.csv? Answer with 2 decimals.",
            prices["price"].max(),
            2,
        ),
        _number(
            "cheap_stock",
            "prices.csv",
            "In prices.csv, what is the total stock of the items priced under 10? Answer with "
            "an integer.",
            prices.loc[prices["price"] < 10, "stock"].sum(),
            0,
        ),
    ]


def grade(question: Question | dict, answer: str) -> str:
    """`right` (the expected value in the requested format), `value_only` (the right value,
    another format), or `wrong`."""
    q = question if isinstance(question, Question) else Question(**question)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", answer or "")  # 12,345.6 -> 12345.6
    text = text.replace("**", "").replace("`", "")
    if q.kind == "word":
        found = re.search(rf"(?<![\w-]){re.escape(q.expected)}(?![\w-])", text, re.IGNORECASE)
        return "right" if found else "wrong"
    numbers = re.findall(r"(?<![\d.])-?\d+(?:\.\d+)?(?![\d.]*\d)", text)
    if q.expected in numbers:
        return "right"
    expected = float(q.expected)
    for number in numbers:
        if abs(round(float(number), q.decimals) - expected) < 10 ** -(q.decimals + 3):
            return "value_only"
    return "wrong"


def report(results: list[dict]) -> str:
    """A run's table: per loop the right answers, the ratio, and the timings per step."""
    lines = []
    loops = {}
    for result in results:
        loops.setdefault(result["loop"], []).append(result)
    for loop, rows in loops.items():
        grades = [r["grade"] for r in rows]
        steps = [s for r in rows for s in r.get("requests", [])]
        ttft = [s["ttft_s"] for s in steps if s.get("ttft_s") is not None]
        total = [s["total_s"] for s in steps if s.get("total_s") is not None]
        prompt = [s["prompt_tokens"] for s in steps if s.get("prompt_tokens")]
        fresh = [s["prompt_processed"] for s in steps if s.get("prompt_processed") is not None]
        lines.append(
            f"{loop:8} right {grades.count('right')}/{len(rows)}"
            f"  value-only {grades.count('value_only')}  wrong {grades.count('wrong')}"
            f"  requests {len(steps)}  code runs {sum(r.get('runs', 0) for r in rows)}"
        )
        lines.append(
            f"{'':8} per request: ttft p50 {_median(ttft)} s, total p50 {_median(total)} s,"
            f" prompt tokens p50 {_median(prompt)} (max {max(prompt, default=0)}),"
            f" processed (not cached) p50 {_median(fresh)}"
        )
    if "product" in loops and "simple" in loops:
        right = {k: sum(r["grade"] == "right" for r in v) for k, v in loops.items()}
        ratio = right["product"] / right["simple"] if right["simple"] else float("inf")
        lines.append(f"ratio product/simple: {ratio:.2f}")
    lines.append("")
    lines.append("| question | " + " | ".join(loops) + " |")
    lines.append("| --- | " + " | ".join("---" for _ in loops) + " |")
    ids = list(dict.fromkeys(r["id"] for r in results))
    for qid in ids:
        cells = []
        for rows in loops.values():
            row = next((r for r in rows if r["id"] == qid), None)
            cells.append(f"{row['grade']} ({row.get('runs', 0)} runs)" if row else "-")
        lines.append(f"| {qid} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "-"


def _number(qid: str, file: str, text: str, value: float, decimals: int) -> Question:
    return Question(qid, file, text, f"{float(value):.{decimals}f}", "number", decimals)


def _word(qid: str, file: str, text: str, value: str) -> Question:
    return Question(qid, file, text, str(value), "word")


def _write(path: Path, sep: str, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=sep)
        writer.writeheader()
        writer.writerows(rows)


def _sales(rng: random.Random) -> list[dict]:
    base = {"Widget": 4.5, "Gadget": 12.0, "Gizmo": 7.25, "Doohickey": 19.9}
    customers = [f"C{n:03d}" for n in range(1, 41)]
    start = date(2025, 1, 1)
    rows = []
    for n in range(1, 301):
        product = rng.choice(list(base))
        discount = rng.choice(["0", "0.05", "0.1", "0.15"]) if rng.random() > 0.13 else ""
        rows.append(
            {
                "order_id": 1000 + n,
                "order_date": (
                    start + timedelta(days=int(rng.triangular(0, 180, 100)))
                ).isoformat(),
                "customer": rng.choice(customers),
                "region": rng.choice(["North", "South", "East", "West"]),
                "product": product,
                "units": rng.randint(1, 20) + (4 if product == "Gizmo" else 0),
                "unit_price": f"{base[product] * rng.uniform(0.9, 1.1):.2f}",
                "discount": discount,
            }
        )
    return rows


def _employees(rng: random.Random) -> list[dict]:
    pay = {"Sales": 52000, "Engineering": 78000, "Support": 41000, "Finance": 69000}
    rows = []
    for n in range(1, 91):
        dept = rng.choice(list(pay))
        rows.append(
            {
                "Employee ID": f"E{n:04d}",
                "Dept ": dept,
                "Annual Salary": int(pay[dept] * rng.uniform(0.75, 1.35)) // 10 * 10,
                "Hire Year": rng.randint(2008, 2025),
                "Remote": rng.choice(["yes", "no"]),
            }
        )
    return rows


def _sensors(rng: random.Random) -> list[dict]:
    rows = []
    for hour in range(240):
        for sensor in "ABC":
            roll = rng.random()
            temperature = "" if roll < 0.07 else "999" if roll < 0.1 else f"{rng.gauss(21, 4):.1f}"
            rows.append(
                {
                    "timestamp": f"2025-03-{1 + hour // 24:02d}T{hour % 24:02d}:00",
                    "sensor": sensor,
                    "temperature": temperature,
                    "humidity": f"{rng.gauss(48 if sensor != 'B' else 55, 9):.1f}",
                }
            )
    return rows


def _prices(rng: random.Random) -> list[dict]:
    return [
        {"item": f"item-{n:02d}", "price": f"{rng.uniform(1, 40):.2f}", "stock": rng.randint(0, 60)}
        for n in range(1, 51)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser("write", help="write the CSVs into DIR, print the questions as JSON")
    write.add_argument("folder", type=Path)
    show = sub.add_parser("report", help="print the table of one or more result files")
    show.add_argument("results", type=Path, nargs="+")
    check = sub.add_parser("grade", help="grade the answer on stdin")
    check.add_argument("question", help="the question as JSON (from `write`)")
    args = parser.parse_args()
    if args.command == "write":
        write_data(args.folder)
        json.dump([asdict(q) for q in questions(args.folder)], sys.stdout, indent=1)
        print()
    elif args.command == "grade":
        print(grade(json.loads(args.question), sys.stdin.read()))
    else:
        results = [r for path in args.results for r in json.loads(path.read_text())["results"]]
        print(report(results))


if __name__ == "__main__":
    main()
