"""The 2023 用地用海 classification, its flags and colours, and the legacy-code mapping."""

from __future__ import annotations

import warnings
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from zoneplan import landuse
from zoneplan.landuse import (
    FLAG_COLUMNS,
    LEGACY_SCHEMES,
    classes,
    color_of,
    flags,
    normalise_codes,
    unknown_codes,
)


def norm(values, **kwargs) -> list:
    return normalise_codes(pd.Series(values, dtype=object), **kwargs).tolist()


# --- the classification table -------------------------------------------------------------------


def test_class_counts_match_the_reference_table():
    # standards.md §2.1.1 has 24 level-1, 111 level-2 and 40 level-3 rows — the "24/111/40 as
    # counted" of its summary; the table and the stated count agree.
    table = classes()
    assert table["level"].value_counts().sort_index().to_dict() == {1: 24, 2: 111, 3: 40}
    assert len(table) == 175
    assert table.index.is_unique
    assert table["name_zh"].is_unique


def test_codes_are_strings_with_leading_zeros_and_a_consistent_hierarchy():
    table = classes()
    assert all(isinstance(code, str) for code in table.index)
    assert {"01", "0101", "060101", "24"} <= set(table.index)
    assert (table.index.str.len() == 2 * table["level"]).all()
    children = table[table["level"] > 1]
    assert (children["parent"] == children.index.str[:-2]).all()
    assert children["parent"].isin(table.index).all()
    assert table.loc[table["level"] == 1, "parent"].isna().all()
    assert (table["level1"] == table.index.str[:2]).all()
    assert table.loc[["18", "19", "20", "21", "22", "24"], "name_zh"].str.endswith(("海", "海域")).all()


def test_every_class_has_an_english_name_and_a_hex_colour():
    table = classes()
    assert table["name_en"].notna().all()
    assert not table["name_en"].str.contains(r"[\u4e00-\u9fff]").any()
    assert table["color"].str.fullmatch(r"#[0-9A-F]{6}").all()


@pytest.mark.parametrize(
    ("code", "color"),
    [
        ("1001", "#BB9674"),
        ("100101", "#BB9674"),  # RGB 187,150,116, inherited from 1001
        ("1002", "#9E6C54"),
        ("1003", "#0000FF"),
        ("0701", "#FFFF2D"),
        ("0703", "#FFD380"),  # rural homesteads differ from urban housing
        ("070302", "#FFD380"),
        ("0802", "#E6005C"),
        ("080403", "#FF85C9"),
        ("1102", "#9999FF"),
        ("1202", "#ADADAD"),
        ("1207", "#A3A3A3"),
        ("1402", "#148D4A"),
        ("16", "#FFFFFF"),
        ("17", "#338EC0"),
        ("24", "#D6EAF3"),
    ],
)
def test_palette_colours(code, color):
    assert classes().loc[code, "color"] == color


def test_classes_returns_a_copy():
    table = classes()
    table.loc["1001", "color"] = "#000000"
    assert classes().loc["1001", "color"] == "#BB9674"


# --- flags --------------------------------------------------------------------------------------

FLAG_CASES = {
    "0101": {"agricultural"},
    "0303": {"agricultural"},
    "0505": {"natural"},
    "060201": {"construction"},
    "07": {"construction", "sensitive_receptor"},
    "070102": {"construction", "urban_construction", "sensitive_receptor"},
    "0702": {"construction", "urban_construction", "sensitive_receptor"},
    "0703": {"construction", "sensitive_receptor"},
    "0704": {"construction", "sensitive_receptor"},
    "08": {"construction", "urban_construction"},
    "0801": {"construction", "urban_construction"},
    "0802": {"construction", "urban_construction", "sensitive_receptor"},
    "080404": {"construction", "urban_construction", "sensitive_receptor"},
    "080601": {"construction", "urban_construction", "sensitive_receptor"},
    "080701": {"construction", "urban_construction", "sensitive_receptor"},
    "0805": {"construction", "urban_construction"},
    "0901": {"construction", "urban_construction"},
    "10": {"construction"},
    "1001": {"construction", "urban_construction", "industrial"},
    "100103": {"construction", "urban_construction", "industrial"},
    "1002": {"construction", "mining"},
    "1003": {"construction"},
    "11": {"construction", "urban_construction", "storage"},
    "110102": {"construction", "urban_construction", "storage"},
    "1102": {"construction", "urban_construction", "storage"},
    "12": {"construction"},
    "1201": {"construction"},
    "1202": {"construction"},
    "1205": {"construction"},
    "1206": {"construction", "urban_construction"},
    "1207": {"construction", "urban_construction"},
    "120803": {"construction", "urban_construction"},
    "1309": {"construction", "urban_construction"},
    "1402": {"construction", "urban_construction"},
    "1501": {"construction"},
    "1503": {"construction", "urban_construction"},
    "16": {"construction", "urban_construction"},
    "1704": {"natural"},
    "1901": {"sea"},
    "2303": {"natural"},
    "23": {"natural"},
    "24": {"natural", "sea"},
}


@pytest.mark.parametrize(("code", "expected"), FLAG_CASES.items())
def test_flags_of_specific_classes(code, expected):
    row = classes().loc[code, list(FLAG_COLUMNS)]
    assert {name for name in FLAG_COLUMNS if row[name]} == expected


def test_construction_is_level1_06_to_16():
    table = classes()
    assert table["construction"].equals(table["level1"].astype(int).between(6, 16))


def test_every_land_class_is_exactly_one_of_construction_agricultural_natural_or_sea_use():
    table = classes()
    groups = table[["construction", "agricultural", "natural"]].sum(axis=1) + (table["sea"] & ~table["natural"])
    assert (groups == 1).all()


def test_parent_flags_hold_only_when_every_subclass_holds_them():
    table = classes()
    for level in (2, 1):
        parents = table[table["level"] == level]
        children = table[table["parent"].isin(parents.index)]
        if children.empty:
            continue
        all_children = children.groupby("parent")[list(FLAG_COLUMNS)].all()
        assert parents.loc[all_children.index, list(FLAG_COLUMNS)].equals(all_children)


def test_flags_frame_is_aligned_and_unknown_codes_get_false_and_na():
    codes = pd.Series(["100102", "M2", "nonsense", None, "0703"], index=[50, 40, 30, 20, 10], name="landuse_code")
    table = flags(codes)
    assert list(table.columns) == ["code", "name_zh", "name_en", "level1", "color", *FLAG_COLUMNS]
    assert table.index.equals(codes.index)
    assert table["code"].tolist() == ["100102", "100102", pd.NA, pd.NA, "0703"]
    assert table["name_zh"].tolist() == ["二类工业用地", "二类工业用地", pd.NA, pd.NA, "农村宅基地"]
    assert table["level1"].tolist() == ["10", "10", pd.NA, pd.NA, "07"]
    assert table["industrial"].tolist() == [True, True, False, False, False]
    assert table["urban_construction"].tolist() == [True, True, False, False, False]
    assert table["sensitive_receptor"].tolist() == [False, False, False, False, True]
    assert all(table[name].dtype == bool for name in FLAG_COLUMNS)


def test_helpers_are_the_flag_columns():
    codes = pd.Series(["100101", "110103", "0701", "1201", "M2", "x"])
    table = flags(codes)
    assert landuse.is_industrial(codes).equals(table["industrial"])
    assert landuse.is_storage(codes).equals(table["storage"])
    assert landuse.is_construction(codes).equals(table["construction"])
    assert landuse.is_urban_construction(codes).equals(table["urban_construction"])
    assert landuse.is_sensitive_receptor(codes).equals(table["sensitive_receptor"])
    assert landuse.is_industrial(codes).tolist() == [True, False, False, False, True, False]


def test_color_of():
    colors = color_of(pd.Series(["100101", "W1", "农村宅基地", "bad"], index=list("abcd")))
    assert colors.tolist() == ["#BB9674", "#8761D3", "#FFD380", pd.NA]
    assert list(colors.index) == list("abcd")


# --- code repair --------------------------------------------------------------------------------


def test_leading_zeros_floats_whitespace_and_full_width_are_repaired():
    assert norm([101, "101", 1001.0, "1001.0", " 0101 ", 70101, "70101", 1, "０１０１", "\u30001001\u3000"]) == [
        "0101",
        "0101",
        "1001",
        "1001",
        "0101",
        "070101",
        "070101",
        "01",
        "0101",
        "1001",
    ]


def test_numeric_columns_with_missing_values():
    codes = pd.Series([101.0, np.nan, 100102.0, 1.0], index=[7, 8, 9, 10], name="DLBM")
    out = normalise_codes(codes)
    assert out.tolist() == ["0101", pd.NA, "100102", "01"]
    assert out.index.equals(codes.index)
    assert out.name == "DLBM"
    assert out.dtype == "string"


def test_categorical_input():
    codes = pd.Series(["M1", "1001", "M1", None], dtype="category")
    assert normalise_codes(codes).tolist() == ["100101", "1001", "100101", pd.NA]


def test_empty_and_all_missing_input():
    assert normalise_codes(pd.Series([], dtype=object)).empty
    assert normalise_codes(pd.Series([None, np.nan])).isna().all()
    assert not unknown_codes(pd.Series([None, np.nan, "", "  "])).any()


def test_large_input_matches_distinct_values():
    rng = np.random.default_rng(1)
    values = np.array(["M2", "0101", 101, "二类工业用地", "bad", None], dtype=object)
    codes = pd.Series(rng.choice(values, 100_000))
    expected = dict(zip(map(repr, values), norm(list(values))))
    out = normalise_codes(codes)
    assert out.isna().sum() == codes.isin(["bad"]).sum() + codes.isna().sum()
    sample = codes.sample(200, random_state=0)
    assert out[sample.index].tolist() == [expected[repr(v)] for v in sample]


# --- GB 50137-2011 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gb", "code"),
    [
        ("M", "1001"),
        ("M1", "100101"),
        ("M2", "100102"),
        ("M3", "100103"),
        ("m2", "100102"),
        ("Ｍ２", "100102"),
        ("W", "1101"),
        ("W1", "110101"),
        ("W2", "110102"),
        ("W3", "110103"),
        ("R", "07"),
        ("R1", "070101"),
        ("R2", "070102"),
        ("R21", "070102"),
        ("R22", "0702"),
        ("R3", "070103"),
        ("A1", "0801"),
        ("A21", "080301"),
        ("A33", "080403"),
        ("A35", "0802"),
        ("A51", "080601"),
        ("A6", "0807"),
        ("A7", "1504"),
        ("A9", "1503"),
        ("B11", "090101"),
        ("B14", "090104"),
        ("B2", "0902"),
        ("B4", "090105"),
        ("S1", "1207"),
        ("S2", "1206"),
        ("S41", "120802"),
        ("S42", "120803"),
        ("U12", "1303"),
        ("U21", "1302"),
        ("U9", "1312"),
        ("G1", "1401"),
        ("G2", "1402"),
        ("G3", "1403"),
        ("H21", "1201"),
        ("H22", "1202"),
        ("H41", "1501"),
        ("H5", "1002"),
        ("E1", "17"),
        ("E9", "23"),
    ],
)
def test_gb50137_codes(gb, code):
    assert norm([gb]) == [code]
    assert norm([gb], scheme="gb50137") == [code]


def test_gb50137_aggregates_are_recognised_but_not_mapped():
    codes = pd.Series(["H", "H11", "H14", "E", "E2", "H9"])
    assert normalise_codes(codes, scheme="gb50137").isna().all()
    assert unknown_codes(codes, scheme="gb50137").all()


def test_gb50137_residential_parents_land_in_urban_housing():
    housing = normalise_codes(pd.Series(["R1", "R2", "R3"]))
    assert housing.str.startswith("0701").all()
    assert flags(pd.Series(["R2"]))["sensitive_receptor"].item()


# --- 三调 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sandiao", "code"),
    [
        ("0101", "0101"),
        ("0204", "0205"),
        ("0305", "0303"),
        ("0404", "0403"),
        ("0201K", "0201"),
        ("201k", "0201"),
        ("05H1", "09"),
        ("05h1", "09"),
        ("0508", "1101"),
        ("0601", "1001"),
        ("0602", "1002"),
        ("0603", "1003"),
        ("0701", "0701"),
        ("0702", "0703"),
        ("08H1", "0801"),
        ("08H2", "08"),
        ("0809", "13"),
        ("0810A", "1403"),
        ("09", "15"),
        ("1001", "1201"),
        ("1003", "1202"),
        ("1004", "1207"),
        ("1006", "0601"),
        ("1104A", "1704"),
        ("1107A", "1311"),
        ("1109", "1311"),
        ("1201", "2301"),
        ("1202", "0602"),
        ("1203", "2303"),
        ("1108", "0504"),
    ],
)
def test_sandiao_codes(sandiao, code):
    assert norm([sandiao], scheme="sandiao") == [code]


def test_colliding_codes_are_2023_under_auto_and_sandiao_only_on_request():
    colliding = ["1001", "0601", "0702", "1201", "0204", "12"]
    assert norm(colliding) == ["1001", "0601", "0702", "1201", "0204", "12"]
    assert norm(colliding, scheme="2023") == ["1001", "0601", "0702", "1201", "0204", "12"]
    assert norm(colliding, scheme="sandiao") == ["1201", "1001", "0703", "2301", "0205", "23"]
    assert flags(pd.Series(["1001"]))["industrial"].item()
    assert not flags(pd.Series(["1001"]), scheme="sandiao")["industrial"].item()


def test_the_26_documented_collisions():
    with (files("zoneplan") / "data" / "landuse_legacy_map.csv").open(encoding="utf-8") as fh:
        legacy = pd.read_csv(fh, dtype="string", keep_default_na=False)
    survey = legacy.loc[legacy["scheme"] == "sandiao", "code"]
    as_2023 = normalise_codes(survey, scheme="2023")
    as_sandiao = normalise_codes(survey, scheme="sandiao")
    collisions = survey[as_2023.notna() & (as_2023 != as_sandiao)]
    assert len(collisions) == 26
    assert {"0601", "0602", "0702", "1001", "1201", "05"} <= set(collisions)


def test_sandiao_only_codes_map_under_auto():
    assert norm(["05H1", "0508", "08H2", "1004", "1107A"]) == ["09", "1101", "08", "1207", "1311"]


def test_auto_warns_when_a_column_looks_like_sandiao():
    survey = pd.Series(["0601", "05H1", "1001", "0101"])
    with pytest.warns(UserWarning, match="scheme='sandiao'"):
        normalise_codes(survey)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        normalise_codes(survey, scheme="sandiao")
        normalise_codes(pd.Series(["1001", "0601", "100102", "M2"]))
        normalise_codes(pd.Series(["05H1", "0508", "0101"]))


# --- schemes are strict -------------------------------------------------------------------------


def test_explicit_schemes_only_read_their_own_codes():
    assert norm(["M2", "05H1", "100102"], scheme="2023") == [pd.NA, pd.NA, "100102"]
    assert norm(["M2", "05H1", "100102"], scheme="gb50137") == ["100102", pd.NA, pd.NA]
    assert norm(["M2", "05H1", "100102"], scheme="sandiao") == [pd.NA, "09", pd.NA]


def test_invalid_scheme():
    with pytest.raises(ValueError, match="scheme must be one of"):
        normalise_codes(pd.Series(["1001"]), scheme="gb50137-2011")


def test_legacy_schemes_are_documented():
    assert set(LEGACY_SCHEMES) == {"gb50137", "sandiao"}
    assert all(LEGACY_SCHEMES.values())


# --- Chinese names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("二类工业用地", "100102"),
        ("工业用地", "1001"),
        ("物流仓储用地", "1101"),
        ("农村宅基地", "0703"),
        ("城镇住宅用地", "0701"),
        (" 留白用地 ", "16"),
        ("商业服务业设施用地", "09"),  # GB 50137 B and 三调 05H1 agree
        ("科教文卫用地", "08"),
        ("行政办公用地", "0801"),
        ("交通枢纽用地", "1208"),
        ("公园与绿地", "14"),
        ("冰川及永久积雪", "1706"),
    ],
)
def test_chinese_names(name, code):
    assert norm([name]) == [code]


def test_names_with_different_meanings_are_not_guessed():
    # GB 50137 住宅用地 is R11, R21 and R31; 三调 住宅用地 is 07
    assert norm(["住宅用地"]) == [pd.NA]
    assert norm(["住宅用地"], scheme="gb50137") == [pd.NA]
    assert norm(["住宅用地"], scheme="sandiao") == ["07"]
    assert norm(["服务设施用地"], scheme="gb50137") == ["0702"]


# --- unknown codes ------------------------------------------------------------------------------


def test_unknown_codes_become_na_and_are_reported():
    codes = pd.Series(["100101", "1099", "Z1", "M4", "0000", "  ", None, "1001011", "工厂"], index=range(10, 19))
    mapped = normalise_codes(codes)
    assert mapped.tolist() == ["100101", *[pd.NA] * 8]
    reported = unknown_codes(codes)
    assert reported.index.equals(codes.index)
    assert reported.dtype == bool
    assert reported.tolist() == [False, True, True, True, True, False, False, True, True]


def test_every_legacy_target_is_a_2023_class_and_every_2023_code_maps_to_itself():
    table = classes()
    assert normalise_codes(pd.Series(table.index)).tolist() == table.index.tolist()
    assert normalise_codes(table["name_zh"].reset_index(drop=True)).tolist() == table.index.tolist()
    with (files("zoneplan") / "data" / "landuse_legacy_map.csv").open(encoding="utf-8") as fh:
        legacy = pd.read_csv(fh, dtype="string", keep_default_na=False)
    assert not legacy.duplicated(["scheme", "code"]).any()
    for scheme in LEGACY_SCHEMES:
        rows = legacy[legacy["scheme"] == scheme]
        targets = rows.loc[rows["code_2023"] != "", "code_2023"]
        assert targets.isin(table.index).all()
        mapped = normalise_codes(rows["code"], scheme=scheme)
        assert mapped.dropna().tolist() == targets.tolist()
