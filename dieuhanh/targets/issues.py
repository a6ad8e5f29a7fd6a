"""The operations center's hot issues from the plan: the targets of the year at risk, and in
the first quarter last year's targets missed (see ``dashboards.issues``). A leader of the
center is shown the country's targets; an agency its own unit's."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dieuhanh.accounts.scopes import scope_unit_ids
from dieuhanh.core.templatetags.dieuhanh import vn_number
from dieuhanh.dashboards.issues import SHOWN_PER_SOURCE, HotIssue
from dieuhanh.orgunits.services import root_unit
from dieuhanh.targets import progress, services
from dieuhanh.targets.progress import TargetStatus

LAST_YEAR_UNTIL_MONTH = 3  # last year's missed targets stay news until the end of March


def off_course(user, today: datetime.date) -> list[HotIssue]:
    unit = root_unit(today) if scope_unit_ids(user, "view") is None else user.orgunit
    if unit is None:
        return []
    years = [today.year] + ([today.year - 1] if today.month <= LAST_YEAR_UNTIL_MONTH else [])
    targets = services.plan_targets(user).filter(orgunit=unit, year__in=years)
    judged = progress.progress(user, targets.order_by("-year", "indicator__code"), today)
    wrong = [
        item
        for item in judged
        if item.status == TargetStatus.AT_RISK
        or (item.status == TargetStatus.MISSED and item.target.year < today.year)
    ]
    issues = [_issue(item, today) for item in wrong[:SHOWN_PER_SOURCE]]
    if len(wrong) > SHOWN_PER_SOURCE:
        issues.append(
            HotIssue(
                kind="target",
                severity="medium",
                title=ngettext(
                    "%(n)d target of the plan off course",
                    "%(n)d targets of the plan off course",
                    len(wrong),
                )
                % {"n": len(wrong)},
                detail=_("The plan's targets at risk, the worst first."),
                url=reverse("targets:plan")
                + "?"
                + urlencode({"year": today.year, "status": TargetStatus.AT_RISK}),
                icon="bullseye",
                when=today,
            )
        )
    return issues


def _issue(item: progress.Progress, today: datetime.date) -> HotIssue:
    target = item.target
    indicator = target.indicator
    symbol = indicator.unit_label
    missed = item.status == TargetStatus.MISSED
    values = {
        "indicator": indicator.short_name or indicator.name,
        "year": target.year,
        "figure": f"{vn_number(item.figure, indicator.decimals)} {symbol}".strip(),
        "period": item.period.label() if item.period else "",
        "target": target.wording or f"{target.sign} {vn_number(target.bounds[0])} {symbol}".strip(),
    }
    if missed:
        title = _("Target of %(year)d missed: %(indicator)s") % values
    else:
        title = _("Target of %(year)d at risk: %(indicator)s") % values
    return HotIssue(
        kind="target",
        severity="high" if missed else "medium",
        title=title,
        detail=_("%(figure)s (%(period)s) against the target: %(target)s.") % values,
        url=reverse("targets:plan_target", args=[target.pk]),
        icon="bullseye",
        when=item.period.end if item.period else today,
    )
