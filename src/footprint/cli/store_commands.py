"""Commands over the run store: runs, show, export, report, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from footprint.cli.app import NO_PLAN, NOT_WRITTEN, app, err, fail, out, say, stage
from footprint.cli.loading import resolve
from footprint.cli.options import RunArgument, StoreOption, WorkersOption
from footprint.cli.stored import opened_store, write_plan


@app.command()
def report(
    references: Annotated[list[str], typer.Argument(
        metavar="RUN|DIR|FILE", help="What to report: a stored run (its id, latest, its name, SWEEP/FUTURE; a sweep "
                                     "or a stochastic plan too), a results folder (`footprint run --out DIR`), or a "
                                     "scenario file (solved first). Two with --compare.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path("report.html"),
    compared: Annotated[bool, typer.Option("--compare", help="Report the second plan against the first.")] = False,
    scenario: Annotated[str | None, typer.Option(
        help="The scenario of a results folder (it keeps only the plan's tables): for the map and the inputs.")] = None,
    explain: Annotated[bool | None, typer.Option(
        "--explain/--no-explain", help="Show explain's choices for the largest markets and products (it re-solves "
                                       "the scenario); default: for plans of up to 20,000 flows.")] = None,
    figures: Annotated[Path | None, typer.Option(
        "--figures", metavar="DIR", help="Also write every figure of the report into DIR as SVG and PNG, named by "
                                         "what it shows (map.svg, costs.png), for slides; drawn in the machine's "
                                         "Chromium or Chrome (BROWSER_PATH names another).")] = None,
    store: StoreOption = None,
) -> None:
    """Write one self-contained HTML report (it works offline: no request leaves the page). It leads with the
    decision: what to build, open and close, where and when, and what the NPV is made of (for a sweep or a
    stochastic plan how often each decision is taken and the NPV's spread; for two plans compared what changed
    and what it is worth); below, the map of sites and flows by year, utilization, production, landed cost, costs,
    lost sales and the inputs, their tables collapsed. Printed, it is a short brief."""
    from footprint.scenario.formats.atomic import write_file
    from footprint.views.figure_files import FiguresError, write_figures
    from footprint.views.report_of import ReportError, page_of

    try:
        with stage("Drawing the report ..."):
            page = page_of(references, store, scenario=None if scenario is None else str(resolve(scenario)),
                             explain=explain, compared=compared)
            html = page.html()
    except ReportError as error:
        raise fail(str(error)) from None
    if out_path.is_dir():
        raise fail(f"{out_path}: a folder; --out takes the name of the HTML file to write", NOT_WRITTEN)
    try:
        write_file(out_path, lambda path: path.write_text(html, encoding="utf-8"))
    except OSError as error:
        raise fail(f"cannot write {out_path}: {(error.strerror or str(error)).lower()}", NOT_WRITTEN) from None
    say(out, f"Report written to {out_path} ({len(html.encode()) / 1e6:.1f} MB)")
    if figures is not None:
        try:
            with stage(f"Drawing {len(page.figures)} figures ..."):
                written = write_figures(page.figures, figures)
        except FiguresError as error:
            raise fail(str(error), NOT_WRITTEN) from None
        say(out, f"{len(written) // 2} figures written to {figures} as SVG and PNG ({written[0].stem}, ...)"
            if written else "The report has no figure to write.")


@app.command(name="runs")
def runs_command(
    store: StoreOption = None,
    kind: Annotated[Literal["run", "stochastic", "sweep", "future"] | None, typer.Option(
        help="Only runs, stochastic plans, sweeps or futures (default: all but futures).")] = None,
    search: Annotated[str | None, typer.Option(help="Only those whose name contains this (any case).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.", min=1)] = 50,
) -> None:
    """List the runs and sweeps in the run store, newest first."""
    from footprint.views.console import print_runs

    with opened_store(store) as opened:
        listed = opened.runs(kind, search, limit)
    print_runs(listed, opened.name, out)


@app.command()
def show(run_ref: RunArgument, store: StoreOption = None) -> None:
    """Print a stored run as `run` (or `stochastic`) printed it (a sweep: its futures)."""
    from footprint.analysis.stochastic import StochasticPlan
    from footprint.views.console import print_plan, print_sweep
    from footprint.views.stochastic import print_stochastic

    with opened_store(store) as opened:
        found = opened.get(run_ref)
        if found.kind == "sweep":
            print_sweep(found, opened.futures(found.id), out)
            return
        if not found.has_plan:
            raise fail(f"run {found.id} ({found.name}) has no plan: {found.message or found.status}", NO_PLAN)
        plan = opened.plan(found.id)
    if plan.stacked:
        print_stochastic(StochasticPlan.of(plan, run=found.id), str(plan.summary["currency"]), out)
    else:
        print_plan(plan, out)


@app.command()
def export(
    run_ref: RunArgument,
    out_path: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write the run's tables: a folder (CSV, Parquet, summary.json; it replaces "
                            "earlier results there) or FILE.xlsx (one workbook).")],
    store: StoreOption = None,
) -> None:
    """Write a stored run's tables as `run --out` does: a results folder, or one workbook. A sweep: the table of
    its futures, and each table with every future's rows under a leading `future` column."""
    from footprint.plan.results import ResultsError
    from footprint.plan.sweep_export import write_sweep
    from footprint.plan.workbook import PlanWorkbookError

    with opened_store(store) as opened:
        found = opened.get(run_ref)
        if found.kind == "sweep":
            try:
                with stage(f"Writing {out_path} ..."):
                    write_sweep(opened, found, out_path)
            except (ResultsError, PlanWorkbookError) as error:
                raise fail(str(error), NOT_WRITTEN) from None
            say(out, f"Sweep {found.id} ({found.name}) written to {out_path}")
            return
        plan = opened.plan(found.id)
    write_plan(plan, out_path)
    say(out, f"Run {found.id} ({found.name}) written to {out_path}")


@app.command()
def serve(
    store: StoreOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on; any but localhost (127.0.0.1) needs --token.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    token: Annotated[str | None, typer.Option(
        envvar="FOOTPRINT_TOKEN", help="Every request must carry it: open the app once as http://HOST:PORT/?token="
                                       "TOKEN (a cookie keeps it), or send the X-Footprint-Token header.")] = None,
    max_upload: Annotated[float, typer.Option(help="Largest upload, in MB (MiB).", min=0.001, max=4096)] = 20.0,
    workers: WorkersOption = None,
    allow_host: Annotated[list[str] | None, typer.Option(
        help="Another host name the app answers to (the name a proxy or DNS gives it), beside localhost's and "
             "--host's; repeat for more. A request naming any other host is refused.")] = None,
    upload_seconds: Annotated[float, typer.Option(
        help="The longest the validation of one upload may take, in seconds; then it is stopped.", min=1.0,
        max=86_400.0)] = 60.0,
    job_seconds: Annotated[float, typer.Option(
        help="The longest a run or a sweep started in the app may take, in seconds; then it is stopped.",
        min=1.0, max=31_536_000.0)] = 3600.0,
    memory: Annotated[float, typer.Option(
        help="Memory each upload's validation and each job (and each of a sweep's workers) may use, in MB (MiB); "
             "work that needs more is stopped.", min=64.0, max=1_048_576.0)] = 4096.0,
) -> None:
    """Serve the web app over the run store: the runs and sweeps, a run's tables and downloads, uploads validated
    in place and run (or swept over their ranged inputs) in the background, comparisons. Ctrl-C stops it."""
    import uvicorn

    from footprint.plan.store import StoreError
    from footprint.web.app import create_app
    from footprint.web.security import host_refusal
    from footprint.web.state import Settings
    from footprint.web.uploads import MIB, Limits

    refusal = host_refusal(host, token)
    if refusal is not None:
        raise fail(refusal)
    try:
        limits = Limits(max_upload=int(max_upload * MIB), upload_seconds=upload_seconds, job_seconds=job_seconds,
                        memory=int(memory * MIB))
        served = create_app(Settings(store, token, limits, workers, host, tuple(allow_host or ())))
    except StoreError as error:
        raise fail(str(error)) from None
    shown = f"[{host}]" if ":" in host else host
    say(err, f"footprint serves {served.state.footprint.store.name} at http://{shown}:{port}/"
              + (" (open it once with ?token=TOKEN)" if token else "") + "; Ctrl-C stops it")
    uvicorn.run(served, host=host, port=port, log_level="warning", server_header=False)
