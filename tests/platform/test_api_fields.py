"""The API schema layer's own field types refuse what they promise to refuse."""
import marshmallow as ma
import pytest

from caseflow.api.schemas import Flag, Schema


class S(Schema):
    f = Flag()
@pytest.mark.parametrize("v,ok", [(True, True), (False, True), ("true", True), ("false", True), (1, False), (0, False), ("yes", False), (None, False)])
def test_flag(app, v, ok):
    if ok:
        assert S().load({"f": v})["f"] is (v in (True, "true"))
    else:
        with pytest.raises(ma.ValidationError):
            S().load({"f": v})
