"""Working-day calendar (工作日, 调休, 节假日) and statutory time arithmetic on dates.

The calendar is a stack of *layers*. The first is the national table shipped as package data
(``powerflow/data/holidays.yaml``: one entry per State Council holiday notice, 国务院办公厅关于
YYYY年部分节假日安排的通知, with its provenance). Later layers are local overrides in the same
YAML format: extra local holidays, extra make-up working days, removals, or a whole new year's
notice imported before a library update. ``load_calendar(layers)`` stacks them into a
:class:`WorkCalendar`; nothing here touches a database or the clock.

Layer format (``powerflow calendar import FILE`` validates a file and stores a copy)::

    layer: 广西 壮族三月三                    # required: the layer's name (re-import replaces it)
    jurisdiction: 广西壮族自治区              # optional: where it applies
    provenance: 桂政办电〔2025〕1号            # optional default for every year below
    years:
      2025:                                   # the year of the notice (its dates lie in that year
                                              #   or in December of the year before)
        complete: false                       # true: a whole national notice: the year is covered
        provenance:                           # a 文号, or a mapping, or a list of mappings
          - notice: 桂政办电〔2025〕1号         # required: 文号, or the title when there is none
            title: 关于2025年壮族三月三放假的通知
            issued: 2025-03-01
            url: https://…
            note: free text
        holidays:                             # days off (放假): one date or a closed range
          - {name: 壮族三月三, first: 2025-03-31, last: 2025-04-01}
          - {name: 某纪念日, date: 2025-06-10}
        workdays:                             # make-up working days (调休上班), usually weekends
          - {name: 春节, date: 2025-01-26}
        remove:                               # days that revert to the plain Mon–Fri rule
          - 2025-05-05

Layers apply in order, day by day: ``holidays`` makes a day a rest day, ``workdays`` makes it a
working day, ``remove`` drops whatever a lower layer said about it. A year is *covered* when some
layer has a ``complete`` entry for it. Every weekday not overridden is a working day and every
Saturday and Sunday not overridden is a rest day.

Time limits (期限):

* The start day is not counted (民事诉讼法 art. 85; 行政许可法 art. 82 counts in 工作日).
* ``workday`` (工作日): the limit ends at the end of the Nth working day after the start day.
* ``day`` (自然日): start + N days. With ``roll_if_off`` a last day that is not a working day
  rolls to the next working day (期间届满的最后一日是法定休假日的，以法定休假日后的第一日为
  期间届满的日期).
* ``month`` (月): the same day of the month N months later, clamped to the month's end
  (Jan 31 + 1 month = Feb 28 or 29); ``roll_if_off`` as for days.
* ``hour`` (小时): ``datetime`` arithmetic, start + N hours; never rolls.

Clock pauses (听证, 检验, 检测, 鉴定, 专家评审, 补正 …; 行政许可法 art. 45): a pause is a closed
date interval [first, last] whose days do not count. Pauses may be unsorted, may overlap each other
and may span holidays; they are merged first. Only the part of a pause after the start day
matters, and a pause that begins after the (extended) last day does not move it.

* ``workday``: working days inside a pause are not counted; the last day is the Nth *counted*
  working day after the start day.
* ``day``: each paused day after the start day, up to the running last day, pushes the last day
  one day later (the clock stops while paused), so the limit is N unpaused days.
* ``month``: the month-based last day is computed first, then extended like ``day`` by the paused
  days after the start day up to the running last day; ``roll_if_off`` applies after extension.
* ``hour``: each paused date removes its whole 24 hours (00:00 to 24:00 in the start's own time
  zone) from the running clock.

Uncovered years: a strict query whose answer depends on a day of a year without a ``complete``
entry raises :class:`CalendarNotCovered` naming the year. With ``provisional=True`` the
calendar uses the weekend rule (plus any days a layer does state) for such years and returns a
:class:`Deadline` flagged ``provisional`` with the years it guessed, so a case opened in December
still gets a date; recompute it once :meth:`WorkCalendar.covers` is true for those years.

Speed: a working-day index over the whole computable range (cumulative working-day counts per
day and the position of every working day) makes :meth:`WorkCalendar.add_workdays` and
:meth:`WorkCalendar.between` O(1) lookups, O(1) per pause.

The package is split by concern: ``layers`` (the data: layers, spans, provenance, pauses,
deadlines), ``reading`` (layer YAML with file/line/field errors, the national table),
``layer_store`` (stored layer files), ``arithmetic`` (plain date helpers) and ``workcalendar``
(the stacked calendar and its index). Every public name is re-exported here.
"""

from __future__ import annotations

from powerflow.workdays.arithmetic import shift_months
from powerflow.workdays.layer_store import import_layer, layer_files
from powerflow.workdays.layers import (
    DaySpan,
    Deadline,
    Layer,
    Pause,
    PauseLike,
    Provenance,
    YearEntry,
    YearSource,
)
from powerflow.workdays.reading import BASE_RESOURCE, base_layer, load_layer, parse_layer
from powerflow.workdays.workcalendar import WorkCalendar, default_calendar, load_calendar

__all__ = [
    "BASE_RESOURCE",
    "DaySpan",
    "Deadline",
    "Layer",
    "Pause",
    "PauseLike",
    "Provenance",
    "WorkCalendar",
    "YearEntry",
    "YearSource",
    "base_layer",
    "default_calendar",
    "import_layer",
    "layer_files",
    "load_calendar",
    "load_layer",
    "parse_layer",
    "shift_months",
]
