"""``run_demo``: Django's ``runserver`` (with the static files handler) that prints the demo's
address and logins (``demo_logins``) LAST, after the server's own banner, where whoever typed
``make run`` sees them. ``make run`` uses it; everything else is ``runserver`` unchanged.
"""

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.core.management import call_command


class Command(RunserverCommand):
    help = "Chạy máy chủ thử nghiệm rồi in địa chỉ và các tài khoản mẫu (dùng cho make run)."

    def on_bind(self, server_port):
        super().on_bind(server_port)
        addr = "127.0.0.1" if self.addr == "0" else self.addr  # "0": every interface
        addr = f"[{addr}]" if self._raw_ipv6 else addr
        call_command(
            "demo_logins", url=f"{self.protocol}://{addr}:{server_port}", stdout=self.stdout
        )
