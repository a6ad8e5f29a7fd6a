"""The formula language of derived indicators: parsing, errors, checks, evaluation and
display. Pure Python; no database."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from dieuhanh.catalog import formulas
from dieuhanh.catalog.formulas import (
    MAX_DEPTH,
    MAX_LENGTH,
    Binary,
    Call,
    Formula,
    FormulaError,
    Number,
    Ref,
    Reference,
    Unary,
    evaluate,
    find_cycle,
    parse,
    to_text,
    tokenize,
    validate,
)


def sexp(node) -> str:
    """The tree as a fully parenthesised prefix expression, to check its shape."""
    if isinstance(node, Number):
        return formulas._format_number(node.value)
    if isinstance(node, Ref):
        return str(node.reference)
    if isinstance(node, Unary):
        return f"({node.op} {sexp(node.operand)})"
    if isinstance(node, Binary):
        return f"({node.op} {sexp(node.left)} {sexp(node.right)})"
    assert isinstance(node, Call)
    return f"({node.name} {' '.join(sexp(arg) for arg in node.args)})"


def resolver(values: dict):
    """A resolver reading values by the canonical text of the reference; it records the
    references it is asked for."""

    def resolve(reference: Reference):
        resolve.asked.append(str(reference))
        return values.get(str(reference))

    resolve.asked = []
    return resolve


def value_of(text: str, values: dict | None = None):
    return evaluate(parse(text), resolver(values or {}))


# Parsing ---------------------------------------------------------------------------------


def test_a_formula_lists_its_references_in_order_with_their_positions():
    formula = parse("ytd(#{Budget_Revenue}) / #{budget_revenue_estimate} * 100 + #{A.x1}")

    assert isinstance(formula, Formula)
    assert formula.text == "ytd(#{Budget_Revenue}) / #{budget_revenue_estimate} * 100 + #{A.x1}"
    assert formula.references == (
        Reference("BUDGET_REVENUE", offset="ytd"),
        Reference("BUDGET_REVENUE_ESTIMATE"),
        Reference("A", option="X1"),
    )
    assert [ref.position for ref in formula.references] == [4, 25, 60]
    assert formula.codes == {"BUDGET_REVENUE", "BUDGET_REVENUE_ESTIMATE", "A"}


def test_the_tree_has_positions_and_small_frozen_nodes():
    formula = parse("#{EXPORTS} - abs(-#{IMPORTS})")
    root = formula.root

    assert root == Binary(
        "-", Ref(Reference("EXPORTS")), Call("abs", (Unary("-", Ref(Reference("IMPORTS"))),))
    )
    assert (root.position, root.left.position, root.right.position) == (11, 0, 13)
    assert root.right.args[0].position == 17
    with pytest.raises(AttributeError):
        root.op = "+"


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("#{EXPORTS}", Reference("EXPORTS")),
        ("#{fdi_registered.hanoi}", Reference("FDI_REGISTERED", option="HANOI")),
        ("sum(#{FDI_REGISTERED.*})", Reference("FDI_REGISTERED", all_options=True)),
        ("previous(#{X})", Reference("X", offset="previous")),
        ("LAST_YEAR(#{X.MALE_URBAN})", Reference("X", option="MALE_URBAN", offset="last_year")),
        ("Ytd(#{X})", Reference("X", offset="ytd")),
        ("avg(last_year(#{X.*}))", Reference("X", all_options=True, offset="last_year")),
    ],
)
def test_references(text, reference):
    assert parse(text).references == (reference,)


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("8 / 4 / 2", "(/ (/ 8 4) 2)"),
        ("2 ^ 3 ^ 2", "(^ 2 (^ 3 2))"),
        ("-2 ^ 2", "(- (^ 2 2))"),
        ("2 ^ -1", "(^ 2 (- 1))"),
        ("-#{A} * 2", "(* (- #{A}) 2)"),
        ("+1 - -2", "(- (+ 1) (- 2))"),
        ("1 + 2 < 3 * 4", "(< (+ 1 2) (* 3 4))"),
        ("not #{A} == 1", "(not (== #{A} 1))"),
        ("not #{A} and #{B}", "(and (not #{A}) #{B})"),
        ("#{A} or #{B} and #{C}", "(or #{A} (and #{B} #{C}))"),
        (
            "#{A} > 0 AND #{B} <= 1 Or NOT #{C} != 2",
            "(or (and (> #{A} 0) (<= #{B} 1)) (not (!= #{C} 2)))",
        ),
        ("(1 < 2) >= 1", "(>= (< 1 2) 1)"),
        ("if(#{A} >= 0, #{A}, -#{A})", "(if (>= #{A} 0) #{A} (- #{A}))"),
        ("ROUND(#{A} / 3, 2)", "(round (/ #{A} 3) 2)"),
        ("min(1, max(2, 3), 4)", "(min 1 (max 2 3) 4)"),
        ("12 + 3.5 + .5 + 1e3 + 2.5E-2 + 7.", "(+ (+ (+ (+ (+ 12 3.5) 0.5) 1000) 0.025) 7)"),
        (" \t#{A}\n*\n2 ", "(* #{A} 2)"),
    ],
)
def test_precedence_and_associativity(text, shape):
    assert sexp(parse(text).root) == shape


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 + 3 * 4", 14.0),
        ("(2 + 3) * 4", 20.0),
        ("10 - 4 - 3", 3.0),
        ("8 / 4 / 2", 1.0),
        ("2 ^ 3 ^ 2", 512.0),
        ("-2 ^ 2", -4.0),
        ("(-2) ^ 2", 4.0),
        ("2 ^ -1", 0.5),
        ("-3 * -2", 6.0),
        ("1 + 1 == 2", 1.0),
        ("1 < 2 and 2 < 1", 0.0),
        ("1 < 2 and 2 < 1 or 3 > 2", 1.0),
        ("not 1 == 2", 1.0),
        ("not 0 + 1", 0.0),
        ("2 != 2", 0.0),
        ("2 <= 2", 1.0),
        ("3 >= 4", 0.0),
    ],
)
def test_arithmetic_follows_the_precedence(text, expected):
    assert value_of(text) == expected


def test_tokens_carry_their_positions():
    tokens = tokenize("sum(#{A.*}) >= .5")

    assert [(token.kind, token.text, token.position) for token in tokens] == [
        ("name", "sum", 0),
        ("operator", "(", 3),
        ("reference", "#{A.*}", 4),
        ("operator", ")", 10),
        ("operator", ">=", 12),
        ("number", ".5", 15),
        ("end", "", 17),
    ]


# Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("#{EXPORTS} - #{IMPORTS", "unclosed_reference", 13),
        ("#{A - #{B}", "unclosed_reference", 0),
        ("if(#{A) > 0, 1, 2)", "unclosed_reference", 3),
        ("#{A} + * 2", "unexpected_token", 7),
        ("1 2", "unexpected_token", 2),
        ("#{A} #{B}", "unexpected_token", 5),
        ("(1 + 2))", "unexpected_token", 7),
        ("sum(1,)", "unexpected_token", 6),
        ("1 < 2 < 3", "unexpected_token", 6),
        ("EXPORTS - IMPORTS", "unexpected_token", 0),
        ("sum + 1", "unexpected_token", 4),
        ("", "unexpected_end", 0),
        ("   ", "unexpected_end", 0),
        ("1 +", "unexpected_end", 3),
        ("(1 + 2", "unexpected_end", 6),
        ("max(1, 2", "unexpected_end", 8),
        ("#{A} $ 2", "unexpected_character", 5),
        ("#{A} = 2", "unexpected_character", 5),
        ("1 ! 2", "unexpected_character", 2),
        ("#{A} + 'x'", "unexpected_character", 7),
        ("#{A} \u2212 #{B}", "unexpected_character", 5),
        ("#{A} + * 2 $", "unexpected_token", 7),
        ("foo(1)", "unknown_function", 0),
        ("1 + Sqrt(4)", "unknown_function", 4),
        ("abs(1, 2)", "wrong_arguments", 0),
        ("1 + if(1, 2)", "wrong_arguments", 4),
        ("round()", "wrong_arguments", 0),
        ("round(1, 2, 3)", "wrong_arguments", 0),
        ("coalesce()", "wrong_arguments", 0),
        ("previous(#{A}, #{B})", "wrong_arguments", 0),
        ("# {A}", "bad_reference", 0),
        ("1 + #A", "bad_reference", 4),
        ("#{}", "bad_reference", 0),
        ("#{1A}", "bad_reference", 0),
        ("#{A.}", "bad_reference", 0),
        ("#{A.B.C}", "bad_reference", 0),
        ("#{A-B}", "bad_reference", 0),
        ("#{ A }", "bad_reference", 0),
        ("#{A.*} + 1", "list_not_allowed", 0),
        ("1 + #{A.*}", "list_not_allowed", 4),
        ("-#{A.*}", "list_not_allowed", 1),
        ("abs(#{A.*})", "list_not_allowed", 4),
        ("sum((#{A.*}))", "list_not_allowed", 5),
        ("sum(#{A.*} * 2)", "list_not_allowed", 4),
        ("if(1, #{A.*}, 2)", "list_not_allowed", 6),
        ("coalesce(#{A.*})", "list_not_allowed", 9),
        ("previous(#{A.*})", "list_not_allowed", 9),
        ("previous(1)", "period_function_needs_reference", 9),
        ("ytd(#{A} + 1)", "period_function_needs_reference", 4),
        ("ytd( 2 * #{A})", "period_function_needs_reference", 5),
        ("last_year(previous(#{A}))", "period_function_needs_reference", 10),
        ("previous()", "period_function_needs_reference", 9),
        ("1e999", "bad_number", 0),
        ("x" * (MAX_LENGTH + 1), "too_long", MAX_LENGTH),
        ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), "too_deep", MAX_DEPTH + 1),
    ],
)
def test_errors_have_a_code_and_a_position(text, code, position):
    with pytest.raises(FormulaError) as caught:
        parse(text)

    assert isinstance(caught.value, ValueError)
    assert (caught.value.code, caught.value.position) == (code, position)
    assert str(position + 1) in str(caught.value)


def test_the_message_is_translated_and_gives_the_column_from_one():
    with translation.override("en"), pytest.raises(FormulaError) as caught:
        parse("#{EXPORTS} - #{IMPORTS")

    assert str(caught.value) == ("The indicator reference at position 14 is not closed with “}”.")
    assert caught.value.message == str(caught.value)

    with translation.override("en"), pytest.raises(FormulaError) as caught:
        parse("#{A} + * 2")
    assert str(caught.value) == "Unexpected “*” at position 8."


def test_the_nesting_limit_is_inclusive():
    deepest = "(" * MAX_DEPTH + "#{A}" + ")" * MAX_DEPTH
    assert parse(deepest).root == Ref(Reference("A"))
    longest = "1" + " " * (MAX_LENGTH - 1)
    assert parse(longest).root == Number(1.0)


def test_a_long_chain_within_the_length_limit_works_without_deep_recursion():
    # A left-associative chain nests as deep as it is long; Python's own recursion limit
    # would be reached by recursive equality, hashing, repr, evaluation or display.
    formula = parse("+".join(["#{A}"] * 400))

    assert evaluate(formula, resolver({"#{A}": 2})) == 800.0
    assert len(formula.references) == 400
    assert to_text(formula) == " + ".join(["#{A}"] * 400)
    assert repr(formula.root).startswith("Binary(op='+', left=Binary(op='+'")

    chain = parse("*".join(["1"] * 400))
    again = parse(to_text(chain))
    assert again.root == chain.root
    assert hash(again.root) == hash(chain.root)
    assert again.root != parse("*".join(["1"] * 399) + "/1").root

    longest = "+".join(["1"] * 1000)
    assert len(longest) < MAX_LENGTH
    assert evaluate(parse(longest), resolver({})) == 1000.0
    assert parse(longest).root == parse(longest).root


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__(1)",
        "#{A}.__class__",
        "#{A.__class__}",
        "().__class__.__bases__",
        "open(1)",
        "eval(1)",
        "exec(1)",
        "lambda: 1",
        "#{A}; import os",
        "[x for x in 1]",
        "#{A} if 1 else 2",
        "{1: 2}",
        "'1' + '2'",
        "getattr(#{A}, 1)",
        "os.system(1)",
    ],
)
def test_python_is_refused(text):
    with pytest.raises(FormulaError) as caught:
        parse(text)

    assert caught.value.code in {
        "unexpected_character",
        "unexpected_token",
        "unexpected_end",
        "unknown_function",
        "bad_reference",
    }


def test_the_module_never_hands_text_to_python():
    source = Path(formulas.__file__).read_text()

    assert not re.search(r"(?<![\w.])(eval|exec|compile|__import__)\(", source)
    assert not re.search(r"^\s*(import ast|from ast)\b", source, re.MULTILINE)


# Checks ----------------------------------------------------------------------------------

KNOWN = {
    "EXPORTS": None,
    "IMPORTS": None,
    "FDI_REGISTERED": {"HANOI", "HCMC"},
    "TRADE_BALANCE": None,
}


def test_known_references_pass():
    formula = parse("#{EXPORTS} - #{imports} + sum(#{FDI_REGISTERED.*}) + #{FDI_REGISTERED.hcmc}")

    assert validate(formula, KNOWN, own_code="TRADE_BALANCE") is None
    assert validate(parse("#{EXPORTS.ANY_OPTION}"), KNOWN) is None


@pytest.mark.parametrize(
    ("text", "own_code", "code", "position"),
    [
        ("#{EXPORTS} - #{RICE_EXPORTS}", None, "unknown_reference", 13),
        ("#{EXPORTS} + #{FDI_REGISTERED.DANANG}", None, "unknown_reference", 13),
        ("previous(#{NOTHING})", None, "unknown_reference", 9),
        ("#{EXPORTS} - #{TRADE_BALANCE}", "TRADE_BALANCE", "self_reference", 13),
        ("ytd(#{trade_balance})", "trade_balance", "self_reference", 4),
        ("#{TRADE_BALANCE.X}", "TRADE_BALANCE", "self_reference", 0),
    ],
)
def test_unknown_and_self_references_are_refused(text, own_code, code, position):
    with pytest.raises(FormulaError) as caught:
        validate(parse(text), KNOWN, own_code=own_code)

    assert (caught.value.code, caught.value.position) == (code, position)
    assert str(position + 1) in str(caught.value)


def test_an_unknown_option_names_the_option():
    with translation.override("en"), pytest.raises(FormulaError) as caught:
        validate(parse("#{FDI_REGISTERED.DANANG}"), KNOWN)

    assert caught.value.code == "unknown_reference"
    assert "DANANG" in str(caught.value)


@pytest.mark.parametrize(
    ("graph", "cycle"),
    [
        ({}, None),
        ({"A": ["B"], "B": ["C"], "C": []}, None),
        ({"A": ["B", "C"], "B": ["C"], "C": ["D"]}, None),
        ({"A": ["A"]}, ["A", "A"]),
        ({"A": ["B"], "B": ["A"]}, ["A", "B", "A"]),
        ({"B": {"C"}, "A": {"B"}, "C": {"A"}}, ["A", "B", "C", "A"]),
        ({"X": ["Y"], "Y": ["Z"], "Z": ["Y"]}, ["Y", "Z", "Y"]),
        ({"A": ["B", "C"], "C": ["D"], "D": ["C"]}, ["C", "D", "C"]),
    ],
)
def test_find_cycle(graph, cycle):
    assert find_cycle(graph) == cycle


def test_find_cycle_handles_long_chains_without_recursion():
    graph = {f"N{i}": [f"N{i + 1}"] for i in range(5000)}
    assert find_cycle(graph) is None

    graph["N5000"] = ["N0"]
    cycle = find_cycle(graph)
    assert cycle[0] == cycle[-1] == "N0"
    assert len(cycle) == 5002


def test_a_formula_closing_a_circle_is_refused():
    formulas_of = {"TRADE_BALANCE": ["EXPORTS", "IMPORTS"], "EXPORTS": ["TOTAL"]}
    formula = parse("#{IMPORTS} + #{TRADE_BALANCE}")

    with translation.override("en"), pytest.raises(FormulaError) as caught:
        validate(formula, {**KNOWN, "TOTAL": None}, own_code="TOTAL", graph=formulas_of)

    assert (caught.value.code, caught.value.position) == ("cycle", 13)
    assert caught.value.params["cycle"] == ["TOTAL", "TRADE_BALANCE", "EXPORTS", "TOTAL"]
    assert "TOTAL → TRADE_BALANCE → EXPORTS → TOTAL" in str(caught.value)

    harmless = parse("#{IMPORTS} + #{EXPORTS}")
    graph = {**formulas_of, "EXPORTS": []}
    assert validate(harmless, {**KNOWN, "TOTAL": None}, own_code="TOTAL", graph=graph) is None


# Evaluation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"#{EXPORTS}": 371.5, "#{IMPORTS}": 359.0}, 12.5),
        ({"#{EXPORTS}": 300, "#{IMPORTS}": 320}, -20.0),
        ({"#{EXPORTS}": 300.0}, None),
        ({}, None),
    ],
)
def test_trade_balance(values, expected):
    assert value_of("#{EXPORTS} - #{IMPORTS}", values) == expected


@pytest.mark.parametrize(
    ("revenue_ytd", "estimate", "expected"),
    [
        (1_200_000.0, 1_600_000.0, 75.0),
        (1_600_000.0, 1_600_000.0, 100.0),
        (1_000.0, 0.0, None),
        (None, 1_600_000.0, None),
    ],
)
def test_budget_execution_ratio(revenue_ytd, estimate, expected):
    resolve = resolver(
        {"ytd(#{BUDGET_REVENUE})": revenue_ytd, "#{BUDGET_REVENUE_ESTIMATE}": estimate}
    )

    formula = parse("ytd(#{BUDGET_REVENUE}) / #{BUDGET_REVENUE_ESTIMATE} * 100")

    assert evaluate(formula, resolve) == expected
    assert sorted(resolve.asked) == ["#{BUDGET_REVENUE_ESTIMATE}", "ytd(#{BUDGET_REVENUE})"]


def test_period_offsets_reach_the_resolver():
    values = {"#{CPI}": 104.0, "previous(#{CPI})": 100.0, "last_year(#{CPI})": 80.0}

    assert value_of("(#{CPI} / previous(#{CPI}) - 1) * 100", values) == pytest.approx(4.0)
    assert value_of("#{CPI} / last_year(#{CPI}) * 100", values) == 130.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("if(#{A} > #{B}, #{A}, #{B})", 7.0),
        ("if(#{A} < #{B}, 1, 2)", 2.0),
        ("if(0, #{A}, #{MISSING})", None),
        ("if(1, #{A}, #{MISSING})", 7.0),
        ("min(#{A}, #{B}, 10)", -3.0),
        ("max(#{A}, #{B}, 10)", 10.0),
        ("abs(#{B})", 3.0),
        ("abs(#{A} - 10)", 3.0),
        ("round(#{A} / 3)", 2.0),
        ("round(#{A} / 3, 2)", 2.33),
        ("round(2.5)", 3.0),
        ("round(3.5)", 4.0),
        ("round(-2.5)", -3.0),
        ("round(0.125, 2)", 0.13),
        ("round(2.675, 2)", 2.68),
        ("round(-1.005, 2)", -1.01),
        ("round(1250, -2)", 1300.0),
        ("round(-0.4)", 0.0),
        ("coalesce(#{MISSING}, #{A})", 7.0),
        ("coalesce(#{MISSING}, #{ALSO_MISSING})", None),
        ("coalesce(#{MISSING}, 0) + 1", 1.0),
        ("#{A} > 5 and #{B} < 0", 1.0),
    ],
)
def test_functions(text, expected):
    assert value_of(text, {"#{A}": 7, "#{B}": -3.0}) == expected


def test_booleans_are_numbers():
    assert value_of("(#{A} > 5) + (#{A} > 6) + (#{A} > 7)", {"#{A}": 7}) == 2.0


FDI = {"#{FDI_REGISTERED.*}": [120.0, None, 80.0, 40.0], "#{EMPTY.*}": [None, None]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sum(#{FDI_REGISTERED.*})", 240.0),
        ("avg(#{FDI_REGISTERED.*})", 80.0),
        ("min(#{FDI_REGISTERED.*})", 40.0),
        ("max(#{FDI_REGISTERED.*})", 120.0),
        ("count(#{FDI_REGISTERED.*})", 3.0),
        ("sum(#{FDI_REGISTERED.*}, 10)", 250.0),
        ("max(#{FDI_REGISTERED.*}, 500)", 500.0),
        ("sum(#{FDI_REGISTERED.*}) / count(#{FDI_REGISTERED.*})", 80.0),
        ("sum(#{EMPTY.*})", None),
        ("avg(#{EMPTY.*})", None),
        ("max(#{EMPTY.*})", None),
        ("count(#{EMPTY.*})", 0.0),
        ("sum(#{NO_LIST.*})", None),
        ("sum(#{FDI_REGISTERED.*}, #{MISSING})", None),
        ("count(#{FDI_REGISTERED.*}, #{MISSING}, 1)", 4.0),
        ("sum(1, 2, 3)", 6.0),
        ("sum(0.1, 0.2, 0.3)", 0.6),
    ],
)
def test_aggregates_over_all_options(text, expected):
    assert value_of(text, FDI) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#{MISSING} + 1", None),
        ("-#{MISSING}", None),
        ("#{MISSING} * 0", None),
        ("#{MISSING} ^ 0", None),
        ("abs(#{MISSING})", None),
        ("round(#{MISSING}, 1)", None),
        ("round(1.25, #{MISSING})", None),
        ("#{MISSING} > 1", None),
        ("#{MISSING} == #{MISSING}", None),
        ("not #{MISSING}", None),
        ("if(#{MISSING}, 1, 2)", None),
        ("if(#{MISSING} > 0, 1, 2)", None),
        ("min(#{MISSING}, 1)", None),
        ("#{MISSING} and 0", 0.0),
        ("#{MISSING} and 1", None),
        ("#{MISSING} or 1", 1.0),
        ("#{MISSING} or 0", None),
        ("1 / 0", None),
        ("#{A} / (#{A} - 7)", None),
        ("0 / 0", None),
        ("0 ^ -1", None),
        ("(-8) ^ 0.5", None),
        ("10 ^ 400", None),
        ("1e300 * 1e300", None),
        ("coalesce(1 / 0, -1)", -1.0),
    ],
)
def test_missing_values_and_division_by_zero(text, expected):
    assert value_of(text, {"#{A}": 7}) == expected


def test_each_reference_is_resolved_once_and_values_may_be_decimals():
    from decimal import Decimal

    resolve = resolver({"#{A}": Decimal("1.5"), "#{B}": 2})

    assert evaluate(parse("#{A} * #{B} + #{A} + #{a}"), resolve) == 6.0
    assert resolve.asked == ["#{A}", "#{B}"]


@pytest.mark.parametrize(
    ("text", "values"),
    [("#{A} + 1", {"#{A}": [1.0]}), ("sum(#{A.*})", {"#{A.*}": 1.0}), ("#{A}", {"#{A}": "1"})],
)
def test_a_resolver_giving_the_wrong_shape_is_a_programming_error(text, values):
    with pytest.raises(TypeError):
        value_of(text, values)


# Display ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("#{EXPORTS}-#{IMPORTS}", "#{EXPORTS} - #{IMPORTS}"),
        ("((#{exports}) - (#{imports}))", "#{EXPORTS} - #{IMPORTS}"),
        (
            "YTD(#{BUDGET_REVENUE})/#{BUDGET_REVENUE_ESTIMATE}*100",
            "ytd(#{BUDGET_REVENUE}) / #{BUDGET_REVENUE_ESTIMATE} * 100",
        ),
        ("(1 + 2) * 3", "(1 + 2) * 3"),
        ("1 + (2 * 3)", "1 + 2 * 3"),
        ("(1 - 2) - 3", "1 - 2 - 3"),
        ("1 - (2 - 3)", "1 - (2 - 3)"),
        ("1 - (2 + 3)", "1 - (2 + 3)"),
        ("1 / (2 * 3)", "1 / (2 * 3)"),
        ("2 ^ (3 ^ 2)", "2 ^ 3 ^ 2"),
        ("(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"),
        ("-(2 ^ 2)", "-2 ^ 2"),
        ("(-2) ^ 2", "(-2) ^ 2"),
        ("2 ^ (-1)", "2 ^ -1"),
        ("-(1 + 2)", "-(1 + 2)"),
        ("- - 1", "--1"),
        ("(1 < 2) < 3", "(1 < 2) < 3"),
        ("1 < (2 < 3)", "1 < (2 < 3)"),
        ("not (#{A} == 1)", "not #{A} == 1"),
        ("(not #{A}) == 1", "(not #{A}) == 1"),
        ("not (#{A} and #{B})", "not (#{A} and #{B})"),
        ("(#{A} and #{B}) or #{C}", "#{A} and #{B} or #{C}"),
        ("#{A} and (#{B} or #{C})", "#{A} and (#{B} or #{C})"),
        ("#{A} OR (#{B} or #{C})", "#{A} or (#{B} or #{C})"),
        ("IF(#{A}>0,#{A},0)", "if(#{A} > 0, #{A}, 0)"),
        ("sum( #{X.*} , last_year( #{Y.z} ) )", "sum(#{X.*}, last_year(#{Y.Z}))"),
        ("1.50 + 0.1 + 1e3 + 1e20 + 2.5e-7", "1.5 + 0.1 + 1000 + 1e+20 + 2.5e-07"),
    ],
)
def test_the_canonical_text_has_minimal_parentheses(text, canonical):
    formula = parse(text)

    assert to_text(formula) == canonical
    assert parse(canonical).root == formula.root


@pytest.mark.parametrize(
    "text",
    [
        "#{EXPORTS} - #{IMPORTS}",
        "ytd(#{BUDGET_REVENUE}) / #{BUDGET_REVENUE_ESTIMATE} * 100",
        "(#{A} - previous(#{A})) / previous(#{A}) * 100",
        "#{A} / (#{B} / #{C})",
        "#{A} * (#{B} / #{C})",
        "#{A} - (#{B} - (#{C} - #{D}))",
        "((#{A} ^ 2) ^ 3) ^ -(#{B} + 1)",
        "-(-#{A}) ^ -(-2)",
        "2 ^ -1 * 3",
        "2 ^ (-1 * 3)",
        "#{A} * -#{B} ^ 2",
        "not not (#{A} or not #{B}) and -(not #{C})",
        "(#{A} or #{B}) and (#{C} or not #{D} == 1)",
        "#{A} == (not #{B})",
        "(#{A} > 1) + (#{B} <= 2) * 3",
        "if(#{A} > 0 and #{B} > 0, round(#{A} / #{B} * 100, 1), coalesce(#{C}, 0))",
        "max(sum(#{X.*}), avg(previous(#{X.*})), count(#{X.*}, 1), min(#{X.A}, -1))",
        "abs(#{A} - last_year(#{A})) / abs(last_year(#{A}))",
        "0.1 + 123456789012 + 1e16 + 3.14159 + .5e-3",
    ],
)
def test_to_text_round_trips(text):
    formula = parse(text)
    canonical = to_text(formula)

    assert parse(canonical).root == formula.root
    assert to_text(parse(canonical)) == canonical
    assert evaluate(formula, lambda ref: [2.0, 3.0] if ref.all_options else 2.0) == evaluate(
        parse(canonical), lambda ref: [2.0, 3.0] if ref.all_options else 2.0
    )


MINUS, TIMES, DIVIDE = "\u2212", "\u00d7", "\u00f7"  # the readable signs
NAMES = {
    "EXPORTS": "Kim ngạch xuất khẩu",
    "IMPORTS": "Kim ngạch nhập khẩu",
    "BUDGET_REVENUE": "Thu ngân sách",
    "BUDGET_REVENUE_ESTIMATE": "Dự toán thu ngân sách",
}


def label(reference: Reference) -> str:
    name = NAMES[reference.code]
    return f"{name} (lũy kế)" if reference.offset == "ytd" else name


@pytest.mark.parametrize(
    ("text", "readable"),
    [
        ("#{EXPORTS} - #{IMPORTS}", f"Kim ngạch xuất khẩu {MINUS} Kim ngạch nhập khẩu"),
        (
            "ytd(#{BUDGET_REVENUE}) / #{BUDGET_REVENUE_ESTIMATE} * 100",
            f"Thu ngân sách (lũy kế) {DIVIDE} Dự toán thu ngân sách {TIMES} 100",
        ),
        ("-(#{EXPORTS} - #{IMPORTS})", f"{MINUS}(Kim ngạch xuất khẩu {MINUS} Kim ngạch nhập khẩu)"),
        (
            "if(#{EXPORTS} >= #{IMPORTS}, 1, 0)",
            "if(Kim ngạch xuất khẩu >= Kim ngạch nhập khẩu, 1, 0)",
        ),
    ],
)
def test_the_labelled_rendering_is_readable(text, readable):
    formula = parse(text)

    assert to_text(formula, label=label) == readable
    assert not {MINUS, TIMES, DIVIDE} & set(to_text(formula))
