"""Masks for personal data shown where the whole value is not needed."""


def mask_phone(phone):
    """138****5678: enough to recognise a number, not enough to call it."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(id_number):
    """110***********123X: the region and the check digits only."""
    text = (id_number or "").strip()
    if len(text) <= 4:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:] if len(text) > 7 else text[:1] + "*" * (len(text) - 1)


def mask_name(name):
    """张*明: the family name and the last character of the name itself. What follows an opening
    bracket ("李红（女儿）", "Li (carer)") is not the name and is left out, so a mask never ends
    in a bracket or gives away the words inside it."""
    text = (name or "").strip()
    for bracket in "(（[【":
        text = text.split(bracket)[0].strip()
    if len(text) <= 1:
        return text
    return text[0] + "*" * (len(text) - 2) + text[-1] if len(text) > 2 else text[0] + "*"
