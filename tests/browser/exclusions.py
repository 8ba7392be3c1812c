"""What the automated accessibility checks (axe-core and HTML_CodeSniffer in
tests/browser/test_accessibility.py) leave out, each with a key. The accessibility
statement must name every one of them among its known issues
(kotolupaus/accessibility.py KNOWN_ISSUES, `not_checked`), and name no other:
tests/test_accessibility_statement.py compares the two."""

NOT_CHECKED = {
    # test_mail_health_and_a_messages_page_pass_axe_and_html_codesniffer opens a list of
    # the admin but does not check it: its filter links and breadcrumbs fail axe, as on
    # every changelist of Django's admin.
    "admin-changelists": "Django admin changelists (/admin/<app>/<model>/)",
}
