from motcua.dossiers.models import STATE_STATUS, DossierState, Status


def test_every_internal_state_maps_to_one_national_status() -> None:
    assert set(STATE_STATUS) == set(DossierState.values)
    assert set(STATE_STATUS.values()) <= set(Status.values)


def test_every_national_status_is_reached_by_some_state() -> None:
    assert set(STATE_STATUS.values()) == set(Status.values)


def test_running_statuses_are_reached_only_by_running_states() -> None:
    from motcua.workflow.selectors import RUNNING_STATES, RUNNING_STATUSES

    others = {v for k, v in STATE_STATUS.items() if k not in RUNNING_STATES}
    assert not others & set(RUNNING_STATUSES)
