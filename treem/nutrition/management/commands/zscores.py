from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.nutrition.zscore_csv import CHUNK_ROWS, score_csv
from treem.nutrition.zscores import Convention


class Command(BaseCommand):
    help = (
        "Tính chỉ số Z (WHO 2006) cho một tệp CSV số đo của trẻ. Score a CSV file of measurements with WHO's "
        "z-scores. Input columns: sex (1/2, M/F, Nam/Nữ), age_days or birth_date + measured_on (yyyy-mm-dd or "
        "dd/mm/yyyy), weight_kg, length_cm, measured (L, H or blank), oedema (y/n). The output repeats every input "
        "column and adds waz, haz, whz (two decimals) and flag_waz, flag_haz, flag_whz (1/0); all six are blank "
        "where WHO's software leaves the score blank. Files of any size are read in chunks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path, help="CSV file to score (UTF-8, comma or semicolon)")
        parser.add_argument("--output", required=True, type=Path, help="CSV file to write (overwritten)")
        parser.add_argument(
            "--convention",
            choices=[convention.value for convention in Convention],
            default=Convention.ANTHRO.value,
            help="anthro (default: the current WHO anthro package, scores below 60 months) or igrowup (2013 macros)",
        )
        parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS, help="rows held in memory at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["input"]
        target: Path = options["output"]
        if not source.is_file():
            raise CommandError(f"Không tìm thấy tệp đầu vào: {source}")
        if source.resolve() == target.resolve():
            raise CommandError("Tệp kết quả phải khác tệp đầu vào.")
        try:
            rows = score_csv(
                input_path=source,
                output_path=target,
                chunk_rows=options["chunk_rows"],
                convention=Convention(options["convention"]),
            )
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Đã tính chỉ số Z cho {rows:,} dòng".replace(",", ".") + f"; kết quả: {target}")
