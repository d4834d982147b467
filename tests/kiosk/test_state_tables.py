"""One table per flow says what each of its states is (kiosk/states.py): every state a flow can reach
has its row, every screen a row names is a screen of the app, and the columns the cues and the statistics
read without knowing the flow are the same in every flow that shares a state.

The states are found without the tables' help: the flow module's ``State`` union, and every class the flow
(with the shared card steps it inherits) assigns to ``self.state`` or returns from a method whose answer
becomes ``self.state``. No window is needed: the app's screen registry is read from screens/app.py's source.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import typing
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from kiosk import i18n
from kiosk.flows import card_steps, checkup, common, expiry, registration, renewal, tables, ticket
from kiosk.flows import migration as mig
from kiosk.flows.card_steps import CardPinFlow
from kiosk.states import STEP_UNSAID, Cue, StateInfo

ROOT = Path(__file__).resolve().parents[2]
FLOWS: dict[str, ModuleType] = {"expiry": expiry, "migrate": mig, "ticket": ticket, "checkup": checkup,
                                "renewal": renewal, "registration": registration}
FLOW_CLASSES = {"expiry": expiry.ExpiryFlow, "migrate": mig.MigrationFlow, "ticket": ticket.TicketFlow,
                "checkup": checkup.CheckupFlow, "renewal": renewal.RenewalFlow,
                "registration": registration.RegistrationFlow}
# Columns kiosk/a11y/cues.py and kiosk/statistics.py read from whichever flow has the state.
SHARED_COLUMNS = ("code", "cue", "typed", "trouble", "prompt", "speaks_number")


def _is_self_state(target: ast.expr) -> bool:
    return (isinstance(target, ast.Attribute) and target.attr == "state" and isinstance(target.value, ast.Name)
            and target.value.id == "self")


def _outermost_calls(value: ast.expr) -> list[ast.Call]:
    """The calls whose answer ``value`` is (``A(B())`` is an A; ``A() if x else B()`` either)."""
    if isinstance(value, ast.IfExp):
        return _outermost_calls(value.body) + _outermost_calls(value.orelse)
    if isinstance(value, ast.BoolOp):
        return [call for v in value.values for call in _outermost_calls(v)]
    return [value] if isinstance(value, ast.Call) else []


def produced(sources: list[tuple[str, ModuleType]]) -> set[type]:
    """Every class the sources' flow code constructs as ``self.state`` (directly, or as the answer of a method
    of theirs that ``self.state`` is set to)."""
    values: list[tuple[ast.expr, ModuleType]] = []
    methods: set[str] = set()
    trees = [(ast.parse(source), module) for source, module in sources]
    for tree, module in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(_is_self_state(t) for t in node.targets):
                value = node.value
            elif isinstance(node, ast.AnnAssign) and _is_self_state(node.target) and node.value is not None:
                value = node.value
            else:
                continue
            values.append((value, module))
            methods |= {call.func.attr for call in _outermost_calls(value)
                        if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
                        and call.func.value.id == "self"}
    for tree, module in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in methods:
                values += [(ret.value, module) for ret in ast.walk(node)
                           if isinstance(ret, ast.Return) and ret.value is not None]
    found: set[type] = set()
    for value, module in values:
        for call in _outermost_calls(value):
            if isinstance(call.func, ast.Name):
                target = getattr(module, call.func.id, None)
                if isinstance(target, type) and dataclasses.is_dataclass(target):
                    found.add(target)
    return found


def states_of(name: str) -> set[type]:
    """The states flow ``name`` can be in: its ``State`` union and what its code constructs as a state."""
    module = FLOWS[name]
    sources = [(inspect.getsource(module), module)]
    if issubclass(FLOW_CLASSES[name], CardPinFlow):
        sources.append((inspect.getsource(card_steps), card_steps))
    return set(typing.get_args(module.State)) | produced(sources)


def missing_rows(name: str, table: typing.Mapping[type, StateInfo]) -> set[type]:
    return states_of(name) - set(table)


def app_screens() -> dict[str, str]:
    """screens/app.py's registry of screens (name -> "module:Class"), read without importing Kivy."""
    tree = ast.parse((ROOT / "screens" / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "SCREENS":
            assert node.value is not None
            return ast.literal_eval(node.value)
    raise AssertionError("screens/app.py has no SCREENS registry")


def test_every_flow_the_kiosk_starts_has_its_table_here() -> None:
    from screens.routes import FLOW_FACTORIES  # the routing module only: no Kivy

    assert set(FLOW_FACTORIES) == set(tables.TABLES) == set(FLOWS)
    for name, module in FLOWS.items():
        assert tables.TABLES[name] is module.STATES, f"{name}: the table is the one beside its states"


def test_the_search_finds_the_states_a_flow_reaches_and_a_row_left_out() -> None:
    migration = states_of("migrate")
    # Reached only through the shared card steps, or only as the answer of a hook, never named in a handler:
    assert {card_steps.PinBlocked, card_steps.CardUnusable, card_steps.SamePin, mig.Pending} <= migration
    assert mig.Refusal not in migration and mig.SignAndSubmit not in migration and mig.Agree not in migration
    assert card_steps.CardUnusable in produced([(inspect.getsource(card_steps), card_steps)])
    table = dict(mig.STATES)
    del table[mig.Pending]
    assert missing_rows("migrate", table) == {mig.Pending}


@pytest.mark.parametrize("name", list(FLOWS))
def test_every_state_of_every_flow_is_in_its_table_and_nothing_else_is(name: str) -> None:
    table = FLOWS[name].STATES
    assert not missing_rows(name, table), f"add rows for {missing_rows(name, table)} to {name}'s STATES"
    stale = set(table) - states_of(name)
    assert not stale, f"{name}'s STATES has rows for states it never reaches: {stale}"
    assert all(isinstance(row, StateInfo) for row in table.values())


@pytest.mark.parametrize("name", list(FLOWS))
def test_every_screen_a_table_names_is_a_screen_of_the_app(name: str) -> None:
    registry = app_screens()
    for cls, row in FLOWS[name].STATES.items():
        assert row.screen in registry, f"{name}: {cls.__name__} shows on {row.screen!r}, which the app lacks"
        module, _, class_name = registry[row.screen].partition(":")
        source = (ROOT / Path(*module.split("."))).with_suffix(".py").read_text(encoding="utf-8")
        assert f"class {class_name}(" in source, f"{registry[row.screen]} is not defined"


def unsaid_steps(table: typing.Mapping[type, StateInfo]) -> set[type]:
    """The states whose rows do not say their step (a key of the flow's ways, or None for no indicator)."""
    return {cls for cls, row in table.items() if row.step == STEP_UNSAID}


def test_a_row_that_says_no_step_is_found() -> None:
    table = dict(mig.STATES)
    table[mig.Consent] = dataclasses.replace(table[mig.Consent], step=STEP_UNSAID)
    assert unsaid_steps(table) == {mig.Consent}
    assert StateInfo("migrate_intro", "intro").step == STEP_UNSAID  # the default says nothing


@pytest.mark.parametrize("name", list(FLOWS))
def test_every_state_says_its_step_on_one_of_its_flows_ways(name: str) -> None:
    table, ways = FLOWS[name].STATES, FLOWS[name].STEPS
    assert tables.STEPS[name] is ways, f"{name}: the ways are the ones beside its states"
    assert not unsaid_steps(table), f"{name}: say the step (or None) of {unsaid_steps(table)}"
    on_ways = {key for way in ways for key in way}
    for cls, row in table.items():
        assert row.step is None or row.step in on_ways, f"{name}: {cls.__name__}'s step {row.step!r} is on no way"
    stepped = {row.step for row in table.values()}
    for way in ways:
        assert way and len(set(way)) == len(way), f"{name}: {way} lists a step twice"
        assert set(way) <= stepped, f"{name}: {way} lists a step no state is on"
        for key in way:  # tests/kiosk/test_i18n.py holds the other catalogues to the Japanese one
            assert f"step.{key}" in i18n.catalogue("ja"), f"the catalogues lack step.{key}"
    assert table[common.Finished].step is None


@pytest.mark.parametrize("name", list(FLOWS))
def test_every_screen_that_shows_a_step_draws_the_indicator(name: str) -> None:
    registry = app_screens()
    for cls, row in FLOWS[name].STATES.items():
        if row.step:
            kv = (ROOT / "screens" / f"{row.screen}.kv").read_text(encoding="utf-8")
            assert re.search(r"^\s+StepIndicator:", kv, re.MULTILINE), (
                f"{name}: {cls.__name__} has a step, but {registry[row.screen]} draws no StepIndicator")


@pytest.mark.parametrize("name", list(FLOWS))
def test_every_result_on_a_screen_that_leads_with_a_sign_says_its_sign(name: str) -> None:
    """A result screen draws its status sign from the row (kiosk/result_sign.py): a result row without one
    would show a screen that leads with nothing. Every result on a flow's result step is on such a screen, and
    a row that says a sign is shown under one (a sign said but not drawn is a result that leads with nothing).
    The lists of what to bring that end a flow without the card are not its result step: the ticket they print
    leads with its own sign (the ticket flow's result)."""
    for cls, row in FLOWS[name].STATES.items():
        kv = (ROOT / "screens" / f"{row.screen}.kv").read_text(encoding="utf-8")
        leads = re.search(r"^\s+ResultHead:", kv, re.MULTILINE) is not None
        if row.outcome is not None and (leads or row.step == card_steps.RESULT):
            assert leads, f"{name}: the result {cls.__name__} is on {row.screen}, which leads with no sign"
            assert row.sign is not None, f"{name}: the result {cls.__name__} on {row.screen} says no sign"
        if row.sign is not None:
            assert leads, f"{name}: {cls.__name__} says a sign that {row.screen} does not draw"


def test_a_state_several_flows_share_means_the_same_to_the_cues_and_the_statistics() -> None:
    for cls in {cls for table in tables.TABLES.values() for cls in table}:
        rows = [table[cls] for table in tables.TABLES.values() if cls in table]
        for column in SHARED_COLUMNS:
            values = {getattr(row, column) for row in rows}
            assert len(values) == 1, f"{cls.__name__}'s {column} differs between flows"


def test_each_row_is_well_formed() -> None:
    for name, table in tables.TABLES.items():
        firsts = [cls for cls, row in table.items() if row.first]
        assert len(firsts) == 1, f"{name} has one first step: {firsts}"
        for cls, row in table.items():
            # "left_<code>" is an abandoned session's reason: a code the server takes (kiosk/statistics.py).
            assert re.fullmatch(r"[a-z][a-z0-9_]{0,40}", row.code), (name, cls, row.code)
            assert not (row.first and row.busy), (name, cls)
            assert isinstance(row.cue, Cue) or callable(row.cue), (name, cls)


def test_each_flow_starts_at_its_first_step() -> None:
    flows = {"expiry": expiry.ExpiryFlow(r"^\d{10}$"), "migrate": mig.MigrationFlow(r"^\d{10}$", today=date.today),
             "ticket": ticket.TicketFlow(("other",)), "checkup": checkup.CheckupFlow(today=date.today),
             "renewal": renewal.RenewalFlow(r"^\d{10}$")}
    for name, flow in flows.items():
        assert tables.TABLES[name][type(flow.state)].first, name


@pytest.fixture
def renamed() -> typing.Iterator[None]:
    """Three state classes renamed (as a refactoring might)."""
    classes = (mig.Consent, mig.Refused, card_steps.WaitingForCard)
    names = [cls.__name__ for cls in classes]
    for cls in classes:
        cls.__name__ = "Renamed"
    yield
    for cls, name in zip(classes, names, strict=True):
        cls.__name__ = name


@pytest.mark.usefixtures("renamed")
def test_what_a_state_does_and_counts_as_does_not_hang_on_its_class_name() -> None:
    from kiosk.flows.common import Back, Retry
    from kiosk.statistics import step_of

    flow = mig.MigrationFlow(r"^\d{10}$", today=date.today)
    flow.state = mig.Consent()
    flow.handle(Back())
    assert flow.state == mig.Intro()
    pad = card_steps.EnteringPin("2000000014", card_steps.CardFacts(b"d", date(2030, 1, 1), 3, 3),
                                 card_steps.PinStep.AUTH)
    flow.state = mig.Refused("2000000014", mig.Refusal.SERVER_UNREACHABLE, pad)
    flow.handle(Retry())
    assert flow.state == pad
    flow.state = card_steps.WaitingForCard("2000000014")
    flow.handle(Back())
    assert flow.state == mig.CardNumber(mig.Entering("2000000014"))
    assert (step_of(mig.Consent()), step_of(card_steps.WaitingForCard(""))) == ("consent", "waiting_for_card")


def test_no_flow_dispatches_on_a_class_name() -> None:
    for module in (*FLOWS.values(), card_steps, tables):
        path = Path(inspect.getfile(module))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "__name__"]
        assert not names, f"{path.name} reads a class name on lines {names}"
