from migration_guide.content.links import canonical_path, is_internal, parse_internal


def test_a_permalink_with_or_without_a_trailing_slash_is_the_same_page():
    assert canonical_path("/guide/kick-off") == canonical_path("/guide/kick-off/") == "/guide/kick-off/"


def test_the_old_base_path_means_the_same_page_at_the_root():
    assert canonical_path("/prm-practice-migration/guide") == "/guide/"
    assert canonical_path("/prm-practice-migration/") == "/"
    assert canonical_path("/prm-practice-migration") == "/"


def test_files_keep_their_extension_and_get_no_slash():
    assert canonical_path("/sitemap.xml") == "/sitemap.xml"


def test_the_fragment_and_query_are_kept_apart_from_the_path():
    link = parse_internal("/prm-practice-migration/guide/kick-off?x=1#check-dates")
    assert (link.path, link.query, link.fragment) == ("/guide/kick-off/", "x=1", "check-dates")
    assert link.href("/base") == "/base/guide/kick-off/?x=1#check-dates"


def test_only_root_relative_links_are_internal():
    assert is_internal("/guide")
    assert not is_internal("//example.com/guide")
    assert not is_internal("https://example.com/")
    assert not is_internal("#section")
    assert not is_internal("mailto:someone@example.com")
