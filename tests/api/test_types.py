"""Typed results keep unknown fields and the raw JSON, since the API grows."""

from __future__ import annotations

from platformkit.api.types import Project, RegionsInfo


def test_project_keeps_unknown_fields_and_raw_json():
    data = {
        "ref": "abcdefghijklmnopqrst",
        "name": "p",
        "status": "ACTIVE_HEALTHY",
        "new_field": {"x": 1},
        "database": {
            "host": "db.example",
            "version": "17.4",
            "postgres_engine": "17",
            "release_channel": "ga",
            "extra": True,
        },
    }
    project = Project.from_json(data)
    assert project.status == "ACTIVE_HEALTHY"
    assert project.extra == {"new_field": {"x": 1}}
    assert project.raw is data
    assert project.database is not None and project.database.host == "db.example"
    assert project.database.extra == {"extra": True}


def test_regions_info_exposes_groups_and_regions():
    info = RegionsInfo.from_json(
        {
            "recommendations": {
                "smartGroup": {"name": "Americas", "code": "americas", "type": "smartGroup"},
                "specific": [],
            },
            "all": {
                "smartGroup": [{"name": "Americas", "code": "americas", "type": "smartGroup"}],
                "specific": [{"name": "Ohio", "code": "us-east-2", "type": "specific", "provider": "AWS"}],
            },
        }
    )
    assert info.recommended_smart_group.code == "americas"
    assert [region.code for region in info.specific_regions] == ["us-east-2"]
