#!/usr/bin/python3
# coding:utf-8
# @Author: Lin Misaka
# @File: net.py
# @Data: 2020/11/30
# @IDE: PyCharm
import numpy as np
from numpy import *
from os import listdir


# function img2vector Convert the image to a vector
def img2vector(filename):
    returnVect = np.zeros((1, 1024))
    fr = open(filename)
    for i in range(32):
        lineStr = fr.readline()
        for j in range(32):
            returnVect[0, 32 * i + j] = int(lineStr[j])
    return returnVect


# Read handwritten fonts txt data
def handwritingData(dataPath):
    hwLabels = []
    FileList = listdir(dataPath)  # 1 Get the contents of the table of contents
    m = len(FileList)
    np.Mat = np.zeros((m, 1024))
    for i in range(m):
        # 2 Parse the classification number from the file name
        fileNameStr = FileList[i]
        fileStr = fileNameStr.split('.')[0]  # take off .txt
        classNumStr = int(fileStr.split('_')[0])
        hwLabels.append(classNumStr)
        np.Mat[i, :] = img2vector(dataPath + '/%s' % fileNameStr)
    return np.Mat, hwLabels


# diff = True Derivation
def Sigmoid(x, diff=False):
    def sigmoid(x):  # sigmoid function
        return 1 / (1 + np.exp(-x))

    def dsigmoid(x):
        f = sigmoid(x)
        return f * (1 - f)

    if (diff == True):
        return dsigmoid(x)
    return sigmoid(x)


# diff = True Derivation
def SquareErrorSum(y_hat, y, diff=False):
    if (diff == True):
        return y_hat - y
    return (np.square(y_hat - y) * 0.5).sum()


class Net():
    def __init__(self):
        # X Input
        self.X = np.random.randn(1024, 1)
        self.W1 = np.random.randn(16, 1024)
        self.b1 = np.random.randn(16, 1)
        self.W2 = np.random.randn(16, 16)
        self.b2 = np.random.randn(16, 1)
        self.W3 = np.random.randn(10, 16)
        self.b3 = np.random.randn(10, 1)
        self.alpha = 0.01  # Learning rate
        self.losslist = []  # For drawing

    def forward(self, X, y, activate):
        self.X = X
        self.z1 = np.dot(self.W1, self.X) + self.b1
        self.a1 = activate(self.z1)
        self.z2 = np.dot(self.W2, self.a1) + self.b2
        self.a2 = activate(self.z2)
        self.z3 = np.dot(self.W3, self.a2) + self.b3
        self.y_hat = activate(self.z3)
        Loss = SquareErrorSum(self.y_hat, y)
        return Loss, self.y_hat

    def backward(self, y, activate):
        self.delta3 = activate(self.z3, True) * SquareErrorSum(self.y_hat, y, True)
        self.delta2 = activate(self.z2, True) * (np.dot(self.W3.T, self.delta3))
        self.delta1 = activate(self.z1, True) * (np.dot(self.W2.T, self.delta2))
        dW3 = np.dot(self.delta3, self.a2.T)
        dW2 = np.dot(self.delta2, self.a1.T)
        dW1 = np.dot(self.delta1, self.X.T)
        d3 = self.delta3
        d2 = self.delta2
        d1 = self.delta1
        #update weight
        self.W3 -= self.alpha * dW3
        self.W2 -= self.alpha * dW2
        self.W1 -= self.alpha * dW1
        self.b3 -= self.alpha * d3
        self.b2 -= self.alpha * d2
        self.b1 -= self.alpha * d1

    def setLearnrate(self, l):
        self.alpha = l

    def train(self, trainMat, trainLabels, Epoch=5, bitch=None):
        for epoch in range(Epoch):
            acc = 0.0
            acc_cnt = 0
            label = np.zeros((10, 1))  # Master as one 10x1 It's a vector , Reduce computation . Used to generate one_hot Format label
            for i in range(len(trainMat)):  # It can be used batch, Less data , Train all data sets at once
                X = trainMat[i, :].reshape((1024, 1))  # To generate the input
                labelidx = trainLabels[i]
                label[labelidx][0] = 1.0
                Loss, y_hat = self.forward(X, label, Sigmoid)  # Forward propagation
                self.backward(label, Sigmoid)  # Back propagation
                label[labelidx][0] = 0.0  # Revert to 0 vector
                acc_cnt += int(trainLabels[i] == np.argmax(y_hat))
            acc = acc_cnt / len(trainMat)
            self.losslist.append(Loss)
            print("epoch:%d,loss:%02f,accrucy : %02f" % (epoch, Loss, acc))
        self.plotLosslist(self.losslist, "Loss")

    def plotLosslist(self, Loss, title):
        import matplotlib.pyplot as plt  # only needed for the picture at the end
        x = range(0, len(Loss))
        plt.plot(x, Loss)
        plt.title(title)
        plt.xlabel("Epoch")
        plt.ylabel("Loss")
        plt.show()


# Read training data
trainDataPath = "./trainingDigits"
trainMat, trainLabels = handwritingData(trainDataPath)
net = Net()
net.setLearnrate(0.01)
net.train(trainMat, trainLabels, Epoch=2000)
