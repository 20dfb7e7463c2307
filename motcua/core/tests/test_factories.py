import pytest

from motcua.testing import ProcedureFactory


@pytest.mark.django_db
def test_procedure_factory_builds_a_current_version_with_components() -> None:
    procedure = ProcedureFactory()
    assert procedure.current_version is not None
    assert procedure.current_version.components.count() == 2
    assert procedure.search_text.startswith("thu tuc thu nghiem")
