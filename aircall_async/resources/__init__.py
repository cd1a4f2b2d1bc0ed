"""One service object per section of the API reference, reached from the client.

``client.calls``, ``client.contacts``... are created on first use and share the client's
session, rate limit and retries. The services know the client only as a
:class:`~aircall_async.resources._base.Requester` (request, paginate), so nothing here
imports the client. The service modules are imported on first use: the client does not
need the models until a service is used.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._base import Requester
    from .a2p_campaign_associations import A2PCampaignAssociations
    from .ai_voice_agents import AIVoiceAgents
    from .analytics import Analytics
    from .calls import Calls
    from .company import CompanyService
    from .contacts import Contacts
    from .dialer_campaigns import DialerCampaigns
    from .integrations import Integrations
    from .messages import Messages
    from .numbers import Numbers
    from .tags import Tags
    from .teams import Teams
    from .users import Users
    from .webhooks import Webhooks

__all__ = ["ClientResources"]


class ClientResources:
    """The resource services of :class:`~aircall_async.client.AircallClient`, over a
    :class:`~aircall_async.resources._base.Requester`.

    Each attribute is created once per client, on first access; none sends a request.
    """

    def __init__(self, requester: Requester) -> None:
        self._requester = requester

    def _bound(self) -> Requester:
        return self._requester

    @cached_property
    def users(self) -> Users:
        """Users: list, get, create, update, delete, availabilities, start_call, dial."""
        from .users import Users

        return Users(self._bound())

    @cached_property
    def teams(self) -> Teams:
        """Teams: list, get, create, delete, add_user, remove_user."""
        from .teams import Teams

        return Teams(self._bound())

    @cached_property
    def calls(self) -> Calls:
        """Calls: list, get, search, transfer, comment, tag, archive, recordings, insight cards."""
        from .calls import Calls

        return Calls(self._bound())

    @cached_property
    def dialer_campaigns(self) -> DialerCampaigns:
        """Power Dialer campaigns of Users and their phone numbers."""
        from .dialer_campaigns import DialerCampaigns

        return DialerCampaigns(self._bound())

    @cached_property
    def numbers(self) -> Numbers:
        """Numbers: list, get, update (including music & messages)."""
        from .numbers import Numbers

        return Numbers(self._bound())

    @cached_property
    def contacts(self) -> Contacts:
        """Contacts: list, search, get, create, update, delete, phone numbers and e-mails."""
        from .contacts import Contacts

        return Contacts(self._bound())

    @cached_property
    def tags(self) -> Tags:
        """Tags: list, get, create, update, delete."""
        from .tags import Tags

        return Tags(self._bound())

    @cached_property
    def webhooks(self) -> Webhooks:
        """Webhooks (the REST objects): list, get, create, update, delete."""
        from .webhooks import Webhooks

        return Webhooks(self._bound())

    @cached_property
    def company(self) -> CompanyService:
        """The company behind the credentials: get."""
        from .company import CompanyService

        return CompanyService(self._bound())

    @cached_property
    def integrations(self) -> Integrations:
        """The OAuth integration of an access token: me, enable, disable."""
        from .integrations import Integrations

        return Integrations(self._bound())

    @cached_property
    def a2p_campaign_associations(self) -> A2PCampaignAssociations:
        """A2P 10DLC campaign associations: list, get, create, update, delete."""
        from .a2p_campaign_associations import A2PCampaignAssociations

        return A2PCampaignAssociations(self._bound())

    @cached_property
    def messages(self) -> Messages:
        """Messages (beyond the reference): SMS/MMS, group and WhatsApp sends, templates,
        line status, messaging configuration."""
        from .messages import Messages

        return Messages(self._bound())

    @cached_property
    def ai_voice_agents(self) -> AIVoiceAgents:
        """AI Voice Agents (beyond the reference): queue an outbound call."""
        from .ai_voice_agents import AIVoiceAgents

        return AIVoiceAgents(self._bound())

    @cached_property
    def analytics(self) -> Analytics:
        """Analytics report exports (beyond the reference): create, get, wait, download."""
        from .analytics import Analytics

        return Analytics(self._bound())
