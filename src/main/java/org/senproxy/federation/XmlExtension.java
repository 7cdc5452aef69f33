package org.senproxy.federation;

import org.jivesoftware.smack.packet.ExtensionElement;

/** An extension element whose XML was written by our own code (a Quoalise data element). */
public final class XmlExtension implements ExtensionElement {

    private final String elementName;
    private final String namespace;
    private final String xml;

    public XmlExtension(String elementName, String namespace, String xml) {
        this.elementName = elementName;
        this.namespace = namespace;
        this.xml = xml;
    }

    @Override
    public String getElementName() {
        return elementName;
    }

    @Override
    public String getNamespace() {
        return namespace;
    }

    @Override
    public CharSequence toXML(String enclosingNamespace) {
        return xml;
    }
}
