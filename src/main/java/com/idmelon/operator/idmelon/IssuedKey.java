package com.idmelon.operator.idmelon;

/** A key together with the secret value IDmelon shows once, in the create or reset answer. */
public record IssuedKey(IdmelonKey key, SecretValue value) {}
