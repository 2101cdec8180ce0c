def test_home_page_answers_in_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="fr"' in response.data
