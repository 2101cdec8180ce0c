from consult.plans.diffs import compare_texts, word_diff


def render(segments):
    marks = {"same": "{}", "added": "[+{}]", "removed": "[-{}]"}
    return "".join(marks[s.kind].format(s.text) for s in segments)


def test_word_diff_marks_added_and_removed_words():
    assert render(word_diff("Publier les données", "Publier toutes les données ouvertes")) == (
        "Publier[+ toutes] les données[+ ouvertes]"
    )
    assert render(word_diff("Un texte retiré", "")) == "[-Un texte retiré]"


def test_compare_texts_lists_only_the_fields_that_changed():
    diffs = compare_texts(
        {"title": "Titre", "issues": "Enjeux"},
        {"title": "Titre", "issues": "Enjeux revus"},
        ("title", "issues"),
    )
    assert [d.name for d in diffs] == ["issues"]
