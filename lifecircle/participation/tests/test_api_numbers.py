"""A number outside what the database holds is refused with a 422 that names the parameter, never a 500."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["-99999999999999999999999", "99999999999999999999999", "0"])
def test_representative_out_of_range(client, value):
    response = client.get("/api/participation/threads", {"representative": value})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "representative"]


def test_representative_constraint_is_in_the_schema(client):
    schema = client.get("/api/openapi.json").json()
    parameters = schema["paths"]["/api/participation/threads"]["get"]["parameters"]
    representative = next(p for p in parameters if p["name"] == "representative")["schema"]
    assert representative["anyOf"][0]["minimum"] == 1 and representative["anyOf"][0]["maximum"] == 2**63 - 1
