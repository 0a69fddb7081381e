"""The admin view of care flows per environment, against a live backend and an unreachable one."""

from __future__ import annotations

from careapp.settings import BackendProfile
from careapp.sync.tests.conftest import Ward, ward  # noqa: F401 - fixture
from careapp.ui.admin.promotions_page import PromotionsPage, label_of


def test_published_versions_side_by_side_and_an_unreachable_backend(qtbot, ward: Ward) -> None:  # noqa: F811
    ward.engine.run_once()  # provisions the local admin on the backend
    production = BackendProfile(url="https://eu-production.invalid", environment="production")
    clients = {ward.profile.key: ward.client}

    def client_for(profile: BackendProfile):
        from careapp.backend import open_client

        return clients[profile.key]() if profile.key in clients else open_client(profile)

    page = PromotionsPage((ward.profile, production), client_for, "admin")
    qtbot.addWidget(page)
    page.reload()
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=30_000)
    headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    assert headers == ["Care flow", label_of(ward.profile), "EU Production", "Warnings"]
    rows = {page.table.item(r, 0).text(): r for r in range(page.table.rowCount())}
    heart = rows["Heart failure check-in"]
    assert page.table.item(heart, 1).text() == "v1 live"
    assert "not paired" in page.table.item(heart, 2).text().lower()
    assert "care flows" in page.message.text()
