"""The operator's command line (SPEC §18). Every command exits non-zero with a one-line reason on error."""

from __future__ import annotations

import json
import secrets
import sys
import time
from typing import Any

import click

from xinyong.kit.errors import XinyongError


def _platform():
    from xinyong.kit.platform import Platform

    ctx = click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Platform.create()
        root.call_on_close(root.obj.dispose)
    return root.obj


def _system_actor():
    from xinyong.accounts.permissions import SYSTEM

    return SYSTEM


def _emit(as_json: bool, data: Any, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)


class Group(click.Group):
    """Every error ends as one line on stderr and a non-zero exit (SPEC §18, DESIGN habit 3)."""

    def invoke(self, ctx):
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return super().invoke(ctx)
        except XinyongError as exc:
            where = f"（{exc.field}）" if exc.field else ""
            click.echo(f"错误{where}：{exc.message}", err=True)
            ctx.exit(1)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            click.echo(f"错误：数据库无法使用（{reason}）；新数据库请先运行 xinyong init", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line for the operator, the type tells us where to look
            click.echo(f"错误：内部错误 {type(exc).__name__}: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=Group)
def main() -> None:
    """信用平台 Xinyong: public-credit information and supervision platform."""


@main.command()
@click.option("--json", "as_json", is_flag=True)
def init(as_json: bool) -> None:
    """Create or upgrade the database and load the default catalog; safe to run again."""
    from xinyong.bootstrap import initialise

    result = initialise(_platform())
    _emit(as_json, result, f"数据库已就绪；新增公示规则 {result['regimes']} 条、信息类型 {result['info_types']} 个")


@main.group(cls=Group)
def department() -> None:
    """Administrative departments (部门)."""


@department.command("create")
@click.argument("uscc")
@click.argument("name")
@click.option("--credit-office", is_flag=True, help="this department is the credit office (信用办)")
@click.option("--json", "as_json", is_flag=True)
def department_create(uscc: str, name: str, credit_office: bool, as_json: bool) -> None:
    from xinyong.accounts import service

    with _platform().uow(actor=_system_actor()) as session:
        dept = service.create_department(session, actor=_system_actor(), uscc=uscc, name=name,
                                         is_credit_office=credit_office)
        data = {"id": dept.id, "uscc": dept.uscc, "name": dept.name}
    _emit(as_json, data, f"已登记部门：{data['name']}（{data['uscc']}）")


@main.group(cls=Group)
def user() -> None:
    """User accounts."""


@user.command("create")
@click.argument("name")
@click.option("--role", required=True, help="admin, officer, reviewer, entity or auditor")
@click.option("--department", "department_uscc", help="the department's USCC (officer, reviewer)")
@click.option("--entity", "entity_code", help="the entity's USCC or ID number (entity users)")
@click.option("--password", help="at least 8 characters; a random one is generated and printed when omitted")
@click.option("--display-name")
@click.option("--json", "as_json", is_flag=True)
def user_create(name, role, department_uscc, entity_code, password, display_name, as_json) -> None:
    from xinyong.accounts import service

    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with _platform().uow(actor=_system_actor()) as session:
        u = service.create_user(session, actor=_system_actor(), username=name, password=password, role=role,
                                display_name=display_name, department_uscc=department_uscc, entity_code=entity_code)
        data = {"id": u.id, "username": u.username, "role": u.role.value}
    if generated:
        data["password"] = password
    text = f"已创建用户 {data['username']}（{data['role']}）" + (f"，初始口令：{password}" if generated else "")
    _emit(as_json, data, text)


@main.group(cls=Group)
def token() -> None:
    """API bearer tokens."""


@token.command("create")
@click.argument("name")
@click.option("--days", type=int, help="lifetime in days (default XINYONG_TOKEN_DAYS, 90)")
@click.option("--label", default="cli", help="what the token is for")
@click.option("--json", "as_json", is_flag=True)
def token_create(name: str, days: int | None, label: str, as_json: bool) -> None:
    """Issue a token for user NAME; it is printed once and stored only as a hash."""
    from xinyong.accounts import service

    with _platform().uow(actor=_system_actor()) as session:
        u = service.user_by_name(session, name)
        raw, t = service.create_token(session, actor=_system_actor(), user=u, name=label, days=days)
        data = {"token": raw, "user": u.username, "expires_at": t.expires_at.isoformat()}
    _emit(as_json, data, raw)


@main.group(cls=Group)
def entity() -> None:
    """信用主体."""


@entity.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
def entity_show(code: str, as_json: bool) -> None:
    """One entity as the credit office sees it: its file, score, grade, lists and reasons (SPEC §18)."""
    from xinyong.entities import service
    from xinyong.grading.service import standing
    from xinyong.lists import service as lists
    from xinyong.objections.marks import open_of_entity
    from xinyong.records import service as records

    actor = _system_actor()
    with _platform().uow(write=False) as session:
        e = service.get_by_code(session, actor=actor, code=code)
        data = service.to_read(e).model_dump(mode="json")
        s = standing(session, e.id)
        file = records.credit_file(session, actor=actor, entity_id=e.id)
        data["records"] = [r.model_dump(mode="json") for r in file]
        on_lists = lists.lists_of(session, e.id)
        entries = lists.describe_entries(session, lists.entries_of(session, e.id))
        objections = open_of_entity(session, e.id)  # and appeals: marked until they end (R-OBJ-3, §19)
    data |= s.as_dict() if s else {"score": None, "grade": None, "reasons": []}
    data["lists"], data["list_entries"] = on_lists, entries  # by grading and by departments' determinations
    data["objections"] = objections
    lines = [f"{data['name']}  {data['code']}  {data['kind_label']}  {data['status']}"]
    lines += [f"  {p['role_label']}：{p['name']}" for p in data["related_persons"]]
    if s:
        lines.append(f"  信用评价：{s.score} 分，{s.grade} 级（{s.grade_label}），基准日 {s.run.as_of}")
        lines += [f"  扣分原因 {i}：{r}" for i, r in enumerate(s.reasons(), 1)]
    else:
        lines.append("  信用评价：尚未评价")
    lines += [f"  名单：{x['list_label']}（{x['basis_label']}，{x['started_on']} 起，计划移出：{x['planned_end_label']}）"
              + ("，异议处理中" if x["under_objection"] else "") for x in entries if x["in_force"]]
    marked = sum(r["under_objection"] for r in data["records"])
    lines.append(f"  信用记录：{len(data['records'])} 条" + (f"，其中异议处理中 {marked} 条" if marked else ""))
    numbers = {r["id"]: r["document_number"] for r in data["records"]}
    lines += [f"  异议 #{o['id']}：{o['target_label']}"
              + (f" {numbers.get(o['record_id'], '#' + str(o['record_id']))}" if o["record_id"]
                 else f" #{o['list_entry_id']}" if o["list_entry_id"] else "")
              + f"（{o['status_label']}），{o['received_on']} 提出" for o in objections]
    _emit(as_json, data, "\n".join(lines))


@main.command()
@click.option("--as-of", "as_of", help="evaluation date, YYYY-MM-DD (default: today in China)")
@click.option("--engine", type=click.Choice(["embedded", "spark"]), default="embedded", show_default=True)
@click.option("--verify", "verify_run", type=int, metavar="RUN", help="reproduce run RUN and check it instead")
@click.option("--json", "as_json", is_flag=True)
def grade(as_of: str | None, engine: str, verify_run: int | None, as_json: bool) -> None:
    """A grading run over all entities (R-GRD-4): written as a new run, then made current."""
    from xinyong.grading import service
    from xinyong.kit.workdays import optional_date

    p = _platform()
    if verify_run is not None:
        check = service.verify_run(p, verify_run)
        text = (f"评价运行 #{check.run_id} 复现一致：模型、输入快照与结果均未改动" if check.ok
                else f"评价运行 #{check.run_id} 复现不一致：{'；'.join(check.problems)}")
        _emit(as_json, {"run_id": check.run_id, "ok": check.ok, "problems": check.problems}, text)
        sys.exit(0 if check.ok else 1)
    day = optional_date(as_of, field="--as-of")
    show = not as_json and sys.stderr.isatty()
    started = time.monotonic()
    steps = ["读取记录", "保存输入快照", "计算", "写入"]
    state = {"i": 0}

    def progress(message: str) -> None:
        state["i"] = next((i + 1 for i, s in enumerate(steps) if s in message), state["i"])
        if show:
            done = round(state["i"] / len(steps) * 20)
            click.echo(f"\r[{'█' * done}{'░' * (20 - done)}] {state['i']}/{len(steps)}  {message}  "
                       f"{time.monotonic() - started:.1f} 秒\033[K", err=True, nl=False)

    run = service.run(p, actor=_system_actor(), as_of=day, engine=engine, trigger="命令行 xinyong grade", progress=progress)
    if show:
        click.echo("", err=True)
    with p.uow(write=False) as session:
        counts = service.distribution(session, run.id)
    data = {"run_id": run.id, "as_of": run.as_of.isoformat(), "engine": run.engine, "entities": run.entities,
            "records": run.records, "grades": counts, "seconds": run.seconds, "results_digest": run.results_digest}
    spread = "，".join(f"{g} {n:,}" for g, n in sorted(counts.items()))
    _emit(as_json, data, f"评价运行 #{run.id} 完成并生效：基准日 {run.as_of}，{run.entities:,} 个主体，"
                         f"{run.records:,} 条计入记录，用时 {run.seconds:.1f} 秒；等级分布：{spread}")


@main.command("scores")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True)
def scores_command(file: str, as_json: bool) -> None:
    """Import external dimension scores (the city's public credit evaluation, third-party evaluations) from
    a CSV: 统一社会信用代码, 维度, 分值, 来源, 评价日期 (R-GRD-2, R-XCH-1). Bad rows are reported by number;
    the same file again changes nothing; entities whose scores changed are regraded at once."""
    from xinyong.grading.dimensions import import_scores

    with _platform().uow(actor=_system_actor()) as session:
        report = import_scores(session, actor=_system_actor(), path_or_bytes=file)
    data = report.model_dump(mode="json")
    lines = [f"{report.filename}：{report.total} 行，新增 {report.imported}，更新 {report.updated}，未变 {report.unchanged}，"
             f"早于已有评价 {report.older}，拒绝 {len(report.rejected)}；{report.entities} 个主体已重新评价"]
    lines += [f"  第 {r.row} 行：{r.reason}" for r in report.rejected[:50]]
    if report.unknown_codes:
        lines.append(f"  平台上没有的代码：{'、'.join(report.unknown_codes[:20])}")
    _emit(as_json, data, "\n".join(lines))


@main.group(cls=Group)
def audit() -> None:
    """The tamper-evident trail."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True)
def audit_verify(as_json: bool) -> None:
    """Exit 0 when the trail and the data agree; otherwise name the first broken entry."""
    from xinyong.audit.verify import verify

    p = _platform()
    with p.uow(write=False) as session:
        report = verify(session, p.keyring)
    if as_json:
        _emit(True, report.as_dict(), "")
    elif report.ok:
        click.echo(f"审计链完整：{report.events} 条事件，{report.rows} 行数据与链上状态一致，"
                   f"{report.checkpoints} 个签名检查点有效")
    else:
        click.echo(f"审计校验失败：{report.problems[0]}", err=True)
        for extra in report.problems[1:10]:
            click.echo(f"  另：{extra}", err=True)
    sys.exit(0 if report.ok else 1)


@audit.command("checkpoint")
@click.option("--json", "as_json", is_flag=True)
def audit_checkpoint(as_json: bool) -> None:
    """Sign the Merkle root (RFC 9162) over every event so far."""
    from xinyong.audit.verify import make_checkpoint

    p = _platform()
    with p.uow() as session:
        cp = make_checkpoint(session, p.keyring)
        data = {"tree_size": cp.tree_size, "root": cp.root_hash} if cp else None
    _emit(as_json, data, f"已签署检查点：前 {data['tree_size']} 条事件，根 {data['root']}" if data else "没有新事件，无需签署")


@audit.command("prove")
@click.argument("seq", type=int)
def audit_prove(seq: int) -> None:
    """An inclusion proof of event SEQ in the latest signed checkpoint."""
    from xinyong.audit.verify import inclusion

    with _platform().uow(write=False) as session:
        _emit(True, inclusion(session, seq), "")


@main.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True)
def backup_command(out: str, as_json: bool) -> None:
    """Back up the database and the data files into OUT, with a manifest signed by the platform key (R-REV-4).
    Safe while the platform runs; the key itself is not in the backup."""
    from xinyong.audit.backup import backup

    m = backup(_platform(), out)
    cp = f"，最后签名检查点覆盖前 {m['checkpoint']['tree_size']} 条事件" if m["checkpoint"] else "，尚无签名检查点"
    _emit(as_json, {"file": out, **m}, f"已备份到 {out}：审计链头 #{m['audit_head']['seq']}{cp}，数据库转储 "
                                       f"{m['dump']['size'] / 1e6:.1f} MB，数据文件 {len(m['files'])} 个；"
                                       "密钥不在备份中，请另行保管")


@main.command("restore")
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True)
def restore_command(source: str, as_json: bool) -> None:
    """Restore backup IN into an empty database; refused, leaving it empty, unless the backup's signature and
    digests hold and the restored trail passes `audit verify` with the head and checkpoint the backup signed."""
    import datetime as dt

    from xinyong.audit.restore import restore
    from xinyong.kit.clock import local
    from xinyong.kit.settings import get_settings

    r = restore(get_settings(), source)  # not _platform(): it would make a new key file where none is
    data = r.as_dict()
    taken = local(dt.datetime.fromisoformat(data["created_at"]))
    _emit(as_json, data, f"已恢复 {taken:%Y-%m-%d %H:%M} 的备份：审计链完整，{r.events} 条事件，{r.rows} 行数据与链上"
                         f"状态一致，链头 #{data['head']['seq']} 与备份签署的一致；数据文件 {r.files} 个"
                         + ("（数据库结构较旧：请运行 xinyong init 升级）" if data["upgrade_needed"] else ""))


@main.group(cls=Group)
def jobs() -> None:
    """定时任务: the jobs `xinyong serve` runs on schedule."""


@jobs.command("list")
@click.option("--json", "as_json", is_flag=True)
def jobs_list(as_json: bool) -> None:
    """Every job: name, label, schedule, last run and its status."""
    from xinyong.jobs import service
    from xinyong.jobs.models import STATUS_LABELS
    from xinyong.kit.clock import local

    with _platform().uow(write=False) as session:
        rows = service.overview(session)
    lines = []
    for j in rows:
        last = j.last_run
        when = (f"上次 {local(last.started_at):%Y-%m-%d %H:%M} {STATUS_LABELS[last.status]}" if last else "尚未运行")
        state = "运行中" if j.running else f"下次 {local(j.next_run_at):%Y-%m-%d %H:%M}"
        lines.append(f"{j.name}  {j.label}  {j.schedule}  {when}  {state}")
    _emit(as_json, [j.model_dump(mode="json") for j in rows], "\n".join(lines) or "没有登记任何任务")


@jobs.command("run")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
def jobs_run(name: str, as_json: bool) -> None:
    """Run job NAME once now, whatever its schedule; refused while another process runs it."""
    from xinyong.jobs import service
    from xinyong.jobs.registry import REGISTRY
    from xinyong.jobs.runner import run_job

    job = REGISTRY.get(name)
    run = service.run_read(run_job(_platform(), job.name, triggered_by="命令行"))
    if run.error is not None:
        raise XinyongError(f"任务 {job.name}（{job.label}）运行失败：{run.error}")
    summary = run.summary or {}
    text = summary.get("message") or "；".join(f"{k}：{v}" for k, v in summary.items()) or "无结果摘要"
    _emit(as_json, run.model_dump(mode="json"),
          f"任务 {job.name}（{job.label}）已完成，用时 {run.duration_seconds:.1f} 秒：{text}")


@main.command()
@click.option("--host", help="default XINYONG_HOST (127.0.0.1)")
@click.option("--port", type=int, help="default XINYONG_PORT (8000)")
@click.option("--workers", type=click.IntRange(1, 64), help="server processes; default XINYONG_WORKERS (1)")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Pages, REST API (OpenAPI at /docs) and the scheduler."""
    import uvicorn

    from xinyong.web.app import create_app

    p = _platform()  # opened here first: the key file and a database that will not open fail before any worker starts
    host, port, workers = host or p.settings.host, port or p.settings.port, workers or p.settings.workers
    options = {"host": host, "port": port, "log_level": "info", "access_log": p.settings.access_log}
    if workers == 1:
        uvicorn.run(create_app(p), **options)
        return
    p.dispose()
    uvicorn.run("xinyong.web.app:from_settings", factory=True, workers=workers, **options)


@main.command()
@click.option("--entities", "n_entities", type=int, default=2000, show_default=True)
@click.option("--persons", "n_persons", type=int, default=300, show_default=True)
@click.option("--seed", type=int, default=20261121, show_default=True)
@click.option("--no-serve", is_flag=True, help="build the demo zone and stop")
@click.option("--reset", is_flag=True, help="allow wiping a non-SQLite database")
@click.option("--host")
@click.option("--port", type=int)
def demo(n_entities, n_persons, seed, no_serve, reset, host, port) -> None:
    """A fresh database with a realistic demo zone, then serve; prints the demo logins."""
    from xinyong.demo.zone import build_demo, wipe
    from xinyong.kit.db import is_sqlite, make_engine
    from xinyong.kit.settings import get_settings

    url = get_settings().database_url
    if is_sqlite(url):
        # a fresh file before the platform opens it: an old demo made with another key must not block this one
        wipe(make_engine(url))
    p = _platform()
    logins = build_demo(p, entities=n_entities, persons=n_persons, seed=seed, allow_reset=reset)
    click.echo(f"演示区已建成：{n_entities} 个市场主体，{n_persons} 个自然人")
    click.echo("演示账户（用户名 / 口令 / 角色）：")
    for row in logins:
        click.echo(f"  {row['username']:<14} {row['password']:<16} {row['role_label']}  {row.get('note', '')}")
    if not no_serve:
        import uvicorn

        from xinyong.web.app import create_app

        h, pt = host or p.settings.host, port or p.settings.port
        click.echo(f"打开 http://{h}:{pt}/ （接口文档 http://{h}:{pt}/docs）")
        uvicorn.run(create_app(p), host=h, port=pt, log_level="warning")


@main.group(cls=Group)
def workdays() -> None:
    """Working days on the official calendar (SPEC §16)."""


@workdays.command("add", context_settings={"ignore_unknown_options": True})  # N = -1 is refused, not an option
@click.argument("date")
@click.argument("n")
@click.option("--json", "as_json", is_flag=True)
def workdays_add(date: str, n: str, as_json: bool) -> None:
    """The date N working days after DATE (ISO, or 2026/3/5); DATE itself is not counted."""
    from xinyong.kit.workdays import parse_date
    from xinyong.workcalendar.service import calendar

    start = parse_date(date, field="DATE")
    try:
        count = int(n)
    except ValueError:
        raise XinyongError(f"工作日数应为非负整数：{n!r}", field="N") from None
    with _platform().uow(write=False) as session:
        cal = calendar(session)
    due = cal.add_workdays(start, count)
    _emit(as_json, {"start": start.isoformat(), "workdays": count, "result": due.isoformat()}, due.isoformat())


@main.group(cls=Group, name="calendar")
def calendar_group() -> None:
    """The statutory holiday arrangements (放假调休安排) the working days count on."""


@calendar_group.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True)
def calendar_load(file: str, as_json: bool) -> None:
    """Load (or replace) one year's arrangement from a JSON file."""
    from pathlib import Path

    from xinyong.workcalendar import service as calendar_store

    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise XinyongError(f"无法读取文件 {file}：{exc}", field="FILE") from None
    data = calendar_store.read_file(text, name=f"文件 {file} ")
    with _platform().uow(actor=_system_actor()) as session:
        replaced = isinstance(data, dict) and data.get("year") in {y.year for y in calendar_store.years(session)}
        a = calendar_store.load_arrangement(session, actor=_system_actor(), data=data)
    result = {"year": a.year, "source": a.source, "replaced": replaced, "days_off": len(a.days_off),
              "makeup_workdays": len(a.makeup_workdays)}
    _emit(as_json, result, f"已{'替换' if replaced else '载入'} {a.year} 年法定节假日安排（{a.source}）："
                           f"放假 {result['days_off']} 天，调休上班 {result['makeup_workdays']} 天")


@calendar_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def calendar_list(as_json: bool) -> None:
    """The years loaded; a year not listed is unknown and no deadline in it can be computed."""
    from xinyong.kit.clock import local
    from xinyong.kit.workdays import parse_arrangement
    from xinyong.workcalendar import service as calendar_store

    rows, lines = [], []
    with _platform().uow(write=False) as session:
        for row in calendar_store.years(session):
            a = parse_arrangement(row.arrangement)
            rows.append({"year": row.year, "source": row.source, "days_off": len(a.days_off),
                         "makeup_workdays": len(a.makeup_workdays), "loaded_at": row.loaded_at.isoformat()})
            lines.append(f"{row.year}  放假 {len(a.days_off)} 天  调休上班 {len(a.makeup_workdays)} 天  "
                         f"载入于 {local(row.loaded_at):%Y-%m-%d %H:%M}  {row.source}")
    _emit(as_json, rows, "\n".join(lines) or "尚未载入任何年度的节假日安排：请运行 xinyong calendar load 文件")


def progress_line(done: int, expected: int | None, seconds: float, width: int = 30) -> str:
    """``[██████░░░░]  45%  450,000 / 1,000,000 行  3,100 行/秒  还需约 3 分钟`` — or just the count
    when the size is not known."""
    rate = done / seconds if seconds > 0 else 0.0
    speed = f"{rate:,.0f} 行/秒" if rate else ""
    if not expected:
        return f"已处理 {done:,} 行  {speed}"
    share = min(1.0, done / expected)
    filled = round(share * width)
    left = (expected - done) / rate if rate and done < expected else 0
    eta = f"还需约 {left / 60:.0f} 分钟" if left >= 90 else f"还需约 {left:.0f} 秒" if left else ""
    return f"[{'█' * filled}{'░' * (width - filled)}] {share:4.0%}  {done:,} / {expected:,} 行  {speed}  {eta}".rstrip()


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--department", "department_uscc", required=True, help="the recording department's USCC")
@click.option("--errors-xlsx", type=click.Path(dir_okay=False, path_type=str),
              help="write the rejected rows, as they were, with 错误原因, to fix and import again")
@click.option("--json", "as_json", is_flag=True)
def import_command(file: str, department_uscc: str, errors_xlsx: str | None, as_json: bool) -> None:
    """Import a national 双公示 penalty or licence file (CSV in UTF-8/GBK, or XLSX) — R-COL-5.

    Good rows go in, each bad row is reported with its row number and reason, and importing the
    same file again adds nothing. Rows without a code that no single entity's name answers wait for a
    person in 待人工匹配 (`held`). The import is listed with the uploads in the pages' 导入记录."""
    from pathlib import Path

    from xinyong.ingest import runs
    from xinyong.ingest.report import write_xlsx
    from xinyong.ingest.service import import_actor

    p = _platform()
    actor = import_actor(p, department_uscc)
    show = not as_json and sys.stderr.isatty()

    started = time.monotonic()

    def progress(report) -> None:
        if show:
            click.echo("\r" + progress_line(report.total, report.expected, time.monotonic() - started), err=True, nl=False)

    run_id = runs.start(p, actor, Path(file).name)
    result = runs.execute(p, run_id, file, actor=actor, on_progress=progress)
    if show:
        click.echo("", err=True)
    if errors_xlsx and result.rejected_rows:
        write_xlsx(errors_xlsx, result.headers, result.rejected_rows)
    lines = [result.report.summary()]
    lines += [f"  第 {r['row']} 行：{r['reason']}" for r in result.report.rejected[:50]]
    if len(result.report.rejected) > 50:
        lines.append(f"  …另有 {len(result.report.rejected) - 50} 行，见 --json 或 --errors-xlsx")
    _emit(as_json, result.report.as_dict(), "\n".join(lines))


# ---- objections (异议与申诉): the credit office's queue, the late ones, per-department figures, the notice ----

@main.group(cls=Group)
def objections() -> None:
    """异议与申诉: the credit office's view of objections (SPEC §10)."""


def _objection_line(o) -> str:
    from xinyong.objections.notice import subject_of

    parts = [f"#{o.id}", o.status_label, f"{o.entity_name}（{o.entity_code}）", f"{o.target_label}：{subject_of(o)}",
             f"收到 {o.received_on}"]
    if o.verification_deadline is not None:
        parts.append(f"核查：{o.verification_deadline.note}")
    parts.append(f"决定：{o.decision_deadline.note}")
    if o.correction_deadline is not None and not o.corrected:
        parts.append(f"更正：{o.correction_deadline.note}")
    if o.suspended:
        parts.append("部门逾期未核查，已暂停公开查询")
    return "  ".join(parts)


@objections.command("list")
@click.option("--open", "open_only", is_flag=True, help="only those being handled (marked 异议处理中)")
@click.option("--overdue", is_flag=True, help="only those whose verification or decision is past its day")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def objections_list(open_only: bool, overdue: bool, limit: int, as_json: bool) -> None:
    """The credit office's queue: open first, nearest deadline first, overdue before all (R-OBJ-2)."""
    from xinyong.objections import reading

    with _platform().uow(write=False) as session:
        page = reading.listing(session, actor=_system_actor(), open_only=open_only, overdue=overdue, limit=limit)
    lines = [_objection_line(o) for o in page.items]
    if page.total > len(page.items):
        lines.append(f"共 {page.total} 件，仅显示前 {len(page.items)} 件（--limit）")
    _emit(as_json, page.model_dump(mode="json"), "\n".join(lines) or "没有符合条件的异议")


@objections.command("late")
@click.option("--json", "as_json", is_flag=True)
def objections_late(as_json: bool) -> None:
    """Objections not handled in time: verification, decision or correction past its day (000 §29)."""
    from xinyong.objections import reading

    with _platform().uow(write=False) as session:
        rows = reading.late(session, actor=_system_actor())
    _emit(as_json, [o.model_dump(mode="json") for o in rows],
          "\n".join(_objection_line(o) for o in rows) or "没有逾期未处理的异议")


@objections.command("tallies")
@click.option("--json", "as_json", is_flag=True)
def objections_tallies(as_json: bool) -> None:
    """Per department: received, verified on time, late, overdue, upheld — for its assessment (000 §29)."""
    from xinyong.objections import reading

    with _platform().uow(write=False) as session:
        rows = reading.tallies(session, actor=_system_actor())
    lines = [f"{t.department}  收到 {t.received}  按期核查 {t.verified_on_time}  逾期核查 {t.verified_late}  "
             f"逾期未核查 {t.overdue_open}  异议成立 {t.upheld}" for t in rows]
    _emit(as_json, [t.model_dump(mode="json") for t in rows], "\n".join(lines) or "尚无部门收到异议")


@objections.command("notice")
@click.argument("objection_id", metavar="ID", type=click.IntRange(1, 2**31 - 1))
@click.argument("out", metavar="OUT.pdf", type=click.Path(dir_okay=False, writable=True, path_type=str))
@click.option("--json", "as_json", is_flag=True)
def objections_notice(objection_id: int, out: str, as_json: bool) -> None:
    """Write the objection's 异议处理结果告知书 (the numbered notice, R-OBJ-2) to OUT.pdf."""
    from pathlib import Path

    from xinyong.objections import notice

    with _platform().uow(write=False) as session:
        n = notice.render(session, actor=_system_actor(), objection_id=objection_id)
    try:
        Path(out).write_bytes(n.content)
    except OSError as exc:
        raise XinyongError(f"无法写入 {out}：{exc.strerror or exc}") from exc
    _emit(as_json, {"id": objection_id, "number": n.number, "path": out, "bytes": len(n.content)},
          f"已生成异议处理结果告知书 {n.number}：{out}")


if __name__ == "__main__":
    main()
