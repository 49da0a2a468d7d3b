"""Signed links are made and read one way (crm/links.py), with one expiry setting for every app."""

import pytest
from django.core import signing

from crm.links import BadLink, LinkPurpose, make_token, read_token
from marketing import links as marketing_links
from service import links as service_links

EXPIRING = LinkPurpose("test.expiring")
LASTING = LinkPurpose("test.lasting", expires=False)


def test_a_token_reads_back_only_for_its_own_purpose():
    token = make_token(EXPIRING, 42)
    assert read_token(EXPIRING, token) == 42
    with pytest.raises(BadLink):
        read_token(LinkPurpose("test.other"), token)
    with pytest.raises(BadLink):
        read_token(EXPIRING, token[:-2] + "xx")


def test_one_setting_expires_every_apps_links(settings):
    settings.PUBLIC_LINK_MAX_AGE_DAYS = -1
    for purpose in (EXPIRING, service_links.TRACKING, service_links.SURVEY, marketing_links.CANCEL):
        with pytest.raises(BadLink):
            read_token(purpose, make_token(purpose, 7))
    for purpose in (LASTING, marketing_links.WEB_FORM, marketing_links.UNSUBSCRIBE):
        assert read_token(purpose, make_token(purpose, 7)) == 7


def test_a_non_expiring_link_is_the_same_every_time():
    assert make_token(LASTING, 5) == make_token(LASTING, 5)


def test_tracking_links_already_sent_still_open():
    """Service links were made with ``signing.dumps(..., compress=True)`` before the move to crm.links."""
    old = signing.dumps(9, salt=service_links.TRACKING.name, compress=True)
    assert read_token(service_links.TRACKING, old) == 9
