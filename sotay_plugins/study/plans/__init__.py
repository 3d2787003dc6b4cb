"""Study plans announced by a committee, their study sessions (attendance through the shared
roll) and the implementation plans (kế hoạch thực hiện) lower committees record."""
