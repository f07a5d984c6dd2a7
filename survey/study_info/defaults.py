"""The first revision of the study's information, for the M.I.L.K study. What the project does
not know (the institution, the people, the ethics board and its approval number) is left empty:
the pages show it as "to be completed" until an admin fills it in."""

from __future__ import annotations

NNBSP = "\u202f"  # before « : ; ? ! » in French

DEFAULT_INFORMATION: dict[str, str] = {
    "title_en": "M.I.L.K: Mother’s Input on a Lactational ToolKit (Ottawa, Canada)",
    "title_fr": (
        f"M.I.L.K{NNBSP}: l’avis des mères sur une trousse d’expression manuelle du lait "
        "(Ottawa, Canada)"
    ),
    "institution_en": "",
    "institution_fr": "",
    "investigator": "",
    "contact_email": "",
    "contact_phone": "",
    "ethics_board_en": "",
    "ethics_board_fr": "",
    "approval_number": "",
    "retention_en": (
        "Your answers are kept on the study’s secure server, with no name or address attached. "
        "Only the research team can read them, and results are only ever shared as group "
        "figures. The answers are deleted at the end of the period the ethics board approved."
    ),
    "retention_fr": (
        "Vos réponses sont gardées sur le serveur sécurisé de l’étude, sans nom ni adresse. "
        "Seule l’équipe de recherche peut les lire, et les résultats ne sont diffusés que sous "
        "forme de chiffres de groupe. Les réponses sont effacées à la fin de la période "
        "approuvée par le comité d’éthique."
    ),
    "withdrawal_en": (
        "You can stop at any moment without giving a reason: just close the page. After you "
        "have sent your answers, you can still take them back with your resume code, or by "
        "writing to the research team; your answers are then deleted and left out of every "
        "result not yet published."
    ),
    "withdrawal_fr": (
        f"Vous pouvez arrêter à tout moment sans donner de raison{NNBSP}: il suffit de fermer "
        "la page. Après l’envoi de vos réponses, vous pouvez encore les retirer avec votre code "
        f"de reprise, ou en écrivant à l’équipe de recherche{NNBSP}; vos réponses sont alors "
        "effacées et exclues de tout résultat qui n’est pas encore publié."
    ),
}
