"""The actor for command-line administration: holds every capability, records as the system."""

from consult.core.permissions import Role


class SystemActor:
    """Passed to services by CLI commands run by the operator of the machine."""

    id = None
    role = Role.ADMIN.value
    is_authenticated = True
    is_system = True
