"""Catalog vocabularies, pure so that parsers and rules can use them without a database."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    BASIC = "basic"  # 基本信息 (000 §8)
    GOOD = "good"  # 良好信息 (000 §9)
    BAD = "bad"  # 不良信息 (000 §10)
    WARNING = "warning"  # 警示信息 (001 文旅 §3)
    NOTICE = "notice"  # 提示信息 (001 食品安全条例 §54)


CATEGORY_LABELS = {Category.BASIC: "基本信息", Category.GOOD: "良好信息", Category.BAD: "不良信息",
                   Category.WARNING: "警示信息", Category.NOTICE: "提示信息"}


class Publicity(StrEnum):
    PUBLIC = "public"  # 完全公开
    SPECIFIED = "specified"  # 向特定主体公开（依授权）
    INTERNAL = "internal"  # 内部使用


PUBLICITY_LABELS = {Publicity.PUBLIC: "完全公开", Publicity.SPECIFIED: "向特定主体公开", Publicity.INTERNAL: "内部使用"}
