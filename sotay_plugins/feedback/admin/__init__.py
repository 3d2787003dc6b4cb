"""The feedback plugin's Wagtail admin: settings (topics, receiving units, keyword lists, Q&A)
through scoped viewsets, and handling, screening, custodian and report screens of their own."""
