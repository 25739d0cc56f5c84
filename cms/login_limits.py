"""Login throttling with a limit of its own for each thing counted (django-axes).

Axes counts wrong passwords per account, per address and per pair, and locks out when any
count reaches one limit. One limit fits an account: a person mistypes a few times, an
attacker guessing one password tries far more. It does not fit an address: a team behind
one address (the office, a conference's Wi-Fi) shares it, and one colleague who forgot a
password would lock everybody there out. So an address gets a higher limit,
LOGIN_ADDRESS_FAILURE_LIMIT, still low enough to stop one address trying password after
password across many accounts.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


def limit_for(parameters, account_limit: int) -> int:
    """The number of failures that locks out what `parameters` counts."""
    if parameters in ("ip_address", ["ip_address"]):
        return settings.LOGIN_ADDRESS_FAILURE_LIMIT
    return account_limit


class LoginLimitsHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures that count most against their own limit, told in units of the
        account limit (axes compares the answer with that one): any count at its own
        limit comes out at the account limit or above, any below it below."""
        account_limit = get_failure_limit(request, credentials)
        counted = zip(
            get_lockout_parameters(request, credentials),
            self.get_user_attempts(request, credentials),
            strict=True,
        )
        worst = 0
        for parameters, attempts in counted:
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, failures * account_limit // limit_for(parameters, account_limit))
        return worst
