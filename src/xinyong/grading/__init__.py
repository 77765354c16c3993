"""信用分级评价 — grading models as data and the pure batch engine (SPEC §6, §15; R-GRD-1…7).

- ``model.load(path_or_text)`` reads a model (TOML) and refuses one that does not make sense, naming
  the file, the line and the reason in Chinese (``ModelError``, an ``Invalid``).
- ``model.load_preset(code)`` reads a shipped model from ``presets/``: ``etdz_reference`` (the default,
  SPEC §15), ``wenlv_five_grades`` (001 文旅 §7–8), ``shijingshan_risk_classes`` (003 §10–11) and
  ``regional_nine_levels`` (四等九级). Cut points the documents do not give are marked as configuration.
- ``engine.grade(model, records, entities, on=date)`` grades with Polars, no database: per entity the
  industry and final score, the grade and the lists; per indicator the points; per entity the (up
  to four) reasons that lowered the score most, with the records behind them. See ``engine``'s
  docstring for the columns it reads. ``engine.what_if`` compares two runs' grades. A small frame
  (an instant regrade, one entity's explanation) is graded one record at a time by ``rowwise``, to the
  same result.

The model file
--------------

A model is versioned (``version``; a run records the file's ``digest`` too, so a past result can be
reproduced with the model of its date). Scores::

    industry = clamp(base + Σ_level-1 clip(Σ points of its counting records, low, high), floor, ceiling)

Every indicator with a ``range`` is clipped to it, "加减完为止" (000 §18); level-1 indicators must have
one. A leaf selects records by information type (the catalog's codes); ``points`` is either one
number for every record, or, with ``by`` (``severity`` — ``minor``/``general``/``serious`` — or a
content field of the type such as ``level`` or ``outcome``), a table from the record's value to its
points; a value not listed is not scored. Each record is scored by at most one leaf. ``labels``
names the values in reasons, ``advice`` tells the company what to do. Grade bands are ``above`` <
X ≤ ``up_to`` (000 表1) and must tile the clamp; the floor itself, in no band ("below D"), takes the
lowest grade. Lists put an entity on when all their conditions hold (``grades``, ``above`` — strictly,
``at_or_below``). Dimension weights are renormalised over the dimensions an entity has; the indicator
tree computes ``dimension`` (default ``industry``). An abridged example::

    code = "etdz_reference"
    name = "经开区行业信用评价参考模型"
    version = 1
    basis = "北京经济技术开发区诚信管理办法第十六至十八条、表1；SPEC §15"
    base = 700
    clamp = [350, 950]
    dimension = "industry"

    [dimensions]
    industry = 0.5
    public = 0.3
    third_party = 0.2

    [[bands]]
    grade = "A"
    label = "优秀"
    above = 800
    up_to = 950
    # … B 650–800, C 550–650, D 350–550

    [[lists]]
    code = "red"
    label = "诚信典型（红名单）"
    grades = ["A"]
    above = 900

    [[lists]]
    code = "black"
    label = "严重失信单位（黑名单）"
    at_or_below = 350

    [[indicators]]
    code = "bad"
    name = "不良信息"
    range = [-400, 0]

    [[indicators.items]]
    code = "penalty"
    name = "行政处罚"
    types = ["penalty"]
    by = "severity"
    points = { general = -40, serious = -120 }
    labels = { general = "一般违法", serious = "严重违法" }
    advice = "履行处罚决定、消除不良影响后，可向作出处罚的部门申请信用修复"

    [[indicators.items]]
    code = "liability_accident"
    name = "责任事故"
    types = ["liability_accident"]
    points = -100

A third level is ``[[indicators.items.items]]``, and so on. With six serious penalties the example
gives ``penalty`` −720 and ``bad`` −400, so 700 − 400 = 300, clamped to 350: grade D, black list, and
the reason "行政处罚（严重违法）6条，扣720分（不良信息最多扣400分，已扣满）：履行处罚决定……".
"""
