#!/usr/bin/env python
"""Benchmark: the task statistics and the filtered task lists over 50,000 tasks.

    .venv/bin/python benchmarks/directives.py --postgres URL [--tasks 50000] [--keep]
    .venv/bin/python benchmarks/directives.py                                # SQLite

The store: the reference organisation units, then ``--tasks`` tasks written in bulk (set
based, as an import of years of assignments would be): ``--years`` years of documents
(about twenty tasks each) assigned to the ministries, agencies and the 34 provinces; a
deadline 15 to 240 days after assignment for most, none for some, monthly for a few; about
80 % of the tasks whose deadline has passed done (a fifth of them late), a few withdrawn,
one in eight a key task, one or two co-ordinating agencies each, the first deadline in each
task's history and a tenth extended once.

Then, through the test client (the whole Django stack, server side), ``--runs`` times warm
after ``--warm`` unmeasured runs, median and p95, as the center's analyst (every task) and
as a province officer (the tasks their province leads or co-ordinates):
- the statistics page by lead agency (the league table), by month of assignment, by
  supervising leader, by document within one year, and the statistics API;
- task lists: overdue tasks of one agency, key tasks overdue, a word search, tasks due in
  the next month, each with the API's list;
- the operations center's task tile and the hot issues.
Target (the issue): under 300 ms at p95. ``--keep`` keeps the database
(``dieuhanh_bench_directives``) for the next run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.analytics import prepare
from benchmarks.dashboards import Row, drop, load_average, report, revision, summary
from benchmarks.orgunits import timed

DATABASE = "dieuhanh_bench_directives"
TARGET = 0.300
PROJECTS = 60  # national target programmes and key projects in the register
WORDS = (
    "Xây dựng, trình Chính phủ Nghị định",
    "Rà soát, tháo gỡ vướng mắc các dự án",
    "Báo cáo Thủ tướng Chính phủ tình hình",
    "Đẩy mạnh giải ngân vốn đầu tư công",
    "Tổng kết, đánh giá việc thực hiện",
    "Hoàn thiện thể chế về",
    "Kiểm tra, đôn đốc việc triển khai",
)
TOPICS = (
    "quản lý nợ công",
    "chuyển đổi số quốc gia",
    "phòng, chống thiên tai",
    "phát triển nhà ở xã hội",
    "cải cách thủ tục hành chính",
    "xuất khẩu nông sản",
    "an toàn thực phẩm",
    "giáo dục nghề nghiệp",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", metavar="URL", help="postgres://user@host:port/any")
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--folder", help="SQLite: the folder of the database (with --keep)")
    args = parser.parse_args()
    began = time.perf_counter()
    where, kept = prepare(args, DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    os.environ.setdefault("DIEUHANH_TWO_FACTOR", "off")
    os.environ.setdefault("DIEUHANH_STATIC_FROM_FINDERS", "on")
    import django

    django.setup()
    from django.core.management import call_command

    from dieuhanh.directives.models import Task

    call_command("migrate", verbosity=0)
    print(f"database: {where}; code: {revision()}")
    try:
        if not kept or not Task.objects.exists():
            build(args)
        else:
            print(f"store kept: {Task.objects.count():,} tasks")
        print(f"store ready in {time.perf_counter() - began:.0f} s")
        measure(args)
    finally:
        if not args.keep:
            drop(args, DATABASE)


def build(args) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from dieuhanh.accounts.models import Role, User
    from dieuhanh.accounts.roles import ensure_roles
    from dieuhanh.directives import services
    from dieuhanh.directives.models import Document, Task, TaskDeadline
    from dieuhanh.orgunits.loader import load_reference_orgunits
    from dieuhanh.orgunits.models import OrgUnit
    from dieuhanh.targets.models import Project

    started = time.perf_counter()
    load_reference_orgunits()
    ensure_roles()
    today = timezone.localdate()
    agencies = list(
        OrgUnit.objects.valid_on(today)
        .filter(kind__in=services.AGENCY_KINDS)
        .exclude(kind="government")
        .values_list("pk", flat=True)
    )
    analyst = User.objects.create_user("bench_analyst", password="Bench-mat-khau-2026")
    analyst.roles.add(Role.objects.get(code="center_analyst"))
    leaders = []
    for number in range(1, 6):
        leader = User.objects.create_user(
            f"bench_leader_{number}", full_name=f"Phó Thủ tướng {number}", password="x" * 12
        )
        leader.roles.add(Role.objects.get(code="leader"))
        leaders.append(leader.pk)
    province = OrgUnit.objects.valid_on(today).get(kind="province", code="37")
    officer = User.objects.create_user(
        "bench_province", password="Bench-mat-khau-2026", orgunit=province
    )
    officer.roles.add(Role.objects.get(code="agency_data_officer"))
    rng = random.Random(42)  # noqa: S311 - generated data
    first_day = today - datetime.timedelta(days=365 * args.years)
    documents = []
    per_document = 20
    count = max(1, args.tasks // per_document)
    for index in range(count):
        issued = first_day + datetime.timedelta(days=rng.randint(0, 365 * args.years - 10))
        documents.append(
            Document(
                number=f"{index + 1}/TB-VPCP",
                doc_type=rng.choice(("resolution", "directive", "conclusion", "dispatch")),
                issued_on=issued,
                signer="Thủ tướng Chính phủ",
                excerpt=f"Kết luận về {rng.choice(TOPICS)}",
            )
        )
    with transaction.atomic():
        Document.objects.bulk_create(documents, batch_size=2000)
        documents = list(Document.objects.order_by("pk"))
        tasks = []
        for number in range(args.tasks):
            document = documents[number % len(documents)]
            assigned = document.issued_on
            roll = rng.random()
            deadline = (
                None if roll < 0.06 else assigned + datetime.timedelta(days=rng.randint(15, 240))
            )
            completed = None
            withdrawal = ""
            if deadline is not None and deadline < today:
                fate = rng.random()
                if fate < 0.64:
                    completed = deadline - datetime.timedelta(days=rng.randint(0, 30))
                elif fate < 0.8:
                    completed = deadline + datetime.timedelta(days=rng.randint(1, 90))
                elif fate < 0.83:
                    withdrawal = rng.choice(("cancelled", "adjusted"))
            elif rng.random() < 0.2:
                completed = assigned + datetime.timedelta(days=rng.randint(1, 30))
            if completed is not None:
                completed = max(assigned, min(completed, today))
            tasks.append(
                Task(
                    document=document,
                    content=f"{rng.choice(WORDS)} {rng.choice(TOPICS)}",
                    kind=rng.choice(("submission", "specific")),
                    lead_id=rng.choice(agencies),
                    supervisor_id=rng.choice(leaders),
                    monitor_id=analyst.pk,
                    assigned_on=assigned,
                    deadline=deadline,
                    recurrence="monthly" if deadline and roll > 0.995 else "",
                    is_key=rng.random() < 0.125,
                    progress=100 if completed else rng.choice((0, 20, 50, 80)),
                    completed_at=(
                        timezone.make_aware(datetime.datetime.combine(completed, datetime.time(15)))
                        if completed
                        else None
                    ),
                    completed_on=completed,  # bulk_create does not call save()
                    withdrawal=withdrawal,
                    withdrawn_at=timezone.now() if withdrawal else None,
                    withdrawal_reason="Điều chỉnh" if withdrawal else "",
                )
            )
        Task.objects.bulk_create(tasks, batch_size=5000)
        ids = list(Task.objects.order_by("pk").values_list("pk", "lead_id", "deadline"))
        through = Task.coordinators.through
        links = []
        history = []
        for pk, lead, deadline in ids:
            for unit in rng.sample(agencies, k=rng.randint(1, 2)):
                if unit != lead:
                    links.append(through(task_id=pk, orgunit_id=unit))
            history.append(TaskDeadline(task_id=pk, deadline=deadline, reason="set"))
            if deadline is not None and rng.random() < 0.1:
                history.append(
                    TaskDeadline(
                        task_id=pk,
                        deadline=deadline + datetime.timedelta(days=30),
                        reason="extended",
                    )
                )
        through.objects.bulk_create(links, batch_size=10000)
        TaskDeadline.objects.bulk_create(history, batch_size=10000)
        projects = Project.objects.bulk_create(
            Project(
                code=f"DA-{number:03d}",
                name=f"Chương trình, dự án {rng.choice(TOPICS)} số {number}",
                kind=rng.choice(("target_programme", "national_project", "key_project")),
                owner_id=rng.choice(agencies),
                start_year=first_day.year + rng.randint(0, args.years),
                end_year=today.year + rng.randint(0, 5),
            )
            for number in range(1, PROJECTS + 1)
        )
        concerned = Task.projects.through
        project_ids = [project.pk for project in Project.objects.order_by("pk")]
        # A tenth of the tasks concern a programme or project; the first ones more often.
        concerns = []
        for pk, _lead, _deadline in ids:
            if rng.random() < 0.1:
                rank = int(rng.paretovariate(1.2)) - 1
                concerns.append(
                    concerned(task_id=pk, project_id=project_ids[rank % len(project_ids)])
                )
        concerned.objects.bulk_create(concerns, batch_size=10000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"built {len(documents):,} documents, {len(ids):,} tasks, {len(links):,} co-ordinations,"
        f" {len(history):,} deadlines, {len(projects)} programmes and projects concerned by"
        f" {len(concerns):,} tasks in {time.perf_counter() - started:.0f} s"
    )


def measure(args) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from dieuhanh.accounts.models import User
    from dieuhanh.dashboards.services import home_dashboard
    from dieuhanh.directives.models import Task

    analyst = User.objects.get(username="bench_analyst")
    officer = User.objects.get(username="bench_province")
    tasks = Task.objects.count()
    today = timezone.localdate()
    year = today.year - 1
    busiest = Task.objects.values("lead__uid").order_by().annotate(n=Count("pk"))
    lead = max(busiest, key=lambda row: row["n"])["lead__uid"]
    widest = (
        Task.projects.through.objects.values("project__code")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["project__code"]
    )
    home = home_dashboard()
    tile = home.items.get(kind="tasks")
    issues = home.items.get(kind="hot_issues")
    month_ahead = (today + datetime.timedelta(days=30)).isoformat()
    pages = [
        ("analyst", "statistics page, by lead agency", "/tasks/"),
        ("analyst", "statistics page, by month assigned", "/tasks/?by=period&period_type=month"),
        ("analyst", "statistics page, by supervising leader", "/tasks/?by=supervisor"),
        (
            "analyst",
            f"statistics page, by document, {year}",
            f"/tasks/?by=document&assigned_from={year}-01-01&assigned_to={year}-12-31",
        ),
        ("analyst", "statistics API, by lead agency", "/api/v1/directives/statistics?by=lead"),
        ("analyst", "list: one agency's overdue tasks", f"/tasks/list/?bucket=overdue&lead={lead}"),
        ("analyst", "list: key tasks overdue", "/tasks/list/?key=1&status=overdue"),
        ("analyst", "list: word search", "/tasks/list/?q=n%E1%BB%A3+c%C3%B4ng"),
        (
            "analyst",
            "list: due within a month",
            f"/tasks/list/?deadline_from={today.isoformat()}&deadline_to={month_ahead}",
        ),
        ("analyst", "API list: overdue, 100", "/api/v1/directives/tasks?bucket=overdue&limit=100"),
        ("analyst", "home page's task tile", f"/dashboards/items/{tile.pk}/"),
        ("analyst", "home page's hot issues", f"/dashboards/items/{issues.pk}/"),
        ("analyst", "list: the tasks of one programme", f"/tasks/list/?project={widest}"),
        ("analyst", "register of programmes and projects", "/projects/"),
        ("analyst", "a programme with its tasks", f"/projects/{widest}/"),
        ("province", "statistics page (a province officer)", "/tasks/"),
        ("province", "list (a province officer)", "/tasks/list/"),
        ("province", "API list (a province officer)", "/api/v1/directives/tasks?limit=100"),
        ("province", "register (a province officer)", "/projects/"),
    ]
    clients = {}
    for name, user in (("analyst", analyst), ("province", officer)):
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        clients[name] = client
    print(
        f"store: {tasks:,} tasks; measured warm, {args.runs} runs each ({args.warm} unmeasured "
        f"first), through the test client; load average {load_average()}"
    )
    rows = []
    for who, name, url in pages:
        client = clients[who]
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        for _ in range(args.warm):
            client.get(url)
        _, durations = timed(lambda client=client, url=url: client.get(url), args.runs)
        row = Row(name, TARGET, durations, len(queries), len(response.content) / 1024)
        rows.append(row)
        report(row)
    print(f"load average after: {load_average()}")
    print()
    summary(rows, f"{tasks:,} tasks; every page and answer <= 300 ms at p95")


if __name__ == "__main__":
    main()
