from xinyong.audit.verify import verify


def test_changes_through_services_verify_clean(make, uow, platform):  # R-REV-4
    dept = make.department("市场监管局")
    make.user("officer", department=dept)
    make.entity("北京星河科技有限公司")
    with uow(write=False) as s:
        report = verify(s, platform.keyring)
    assert report.ok, report.problems
    assert report.events >= 4
